package dev.switchboard.broker.session;

import dev.switchboard.bridge.upstream.UpstreamRequest;
import dev.switchboard.broker.admission.Admission;
import dev.switchboard.broker.admission.Refusal;
import dev.switchboard.broker.notice.Notices;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.policy.Match;
import dev.switchboard.protocol.event.ContentPart;
import dev.switchboard.protocol.event.ConversationItem;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's input rules applied to what a response request sends a provider: the instructions and the text of
 * every message that is not the assistant's own (function outputs too). A {@code redact} rewrites the copy the
 * provider receives (the session's conversation keeps what the client sent); a {@code block} refuses the request
 * with {@link Refusal#CONTENT_POLICY_VIOLATION}, naming the rule and never the matched text. Shard thread.
 */
final class InputPolicing {
    private InputPolicing() {
    }

    /** The request the provider may receive, or the refusal; matches are metered and announced either way. */
    static Result police(UpstreamRequest request, ContentPolicy policy, ResponseHooks.ResponseInfo info,
                         Notices notices, InstantSource clock, dev.switchboard.broker.metrics.BrokerMetrics metrics) {
        List<Match> matches = new ArrayList<>();
        ContentPolicy.Inspection instructions = policy.inspectInput(request.instructions());
        matches.addAll(instructions.matches());
        Optional<Match> blocked = instructions.blocked();
        List<ConversationItem> items = new ArrayList<>(request.items().size());
        for (ConversationItem item : request.items()) {
            if (blocked.isPresent()) {
                break;
            }
            Policed policed = police(item, policy);
            matches.addAll(policed.matches);
            blocked = policed.blocked;
            items.add(policed.item);
        }
        new PolicyNotices(policy, info.session(), notices, clock, metrics).announce(matches, info.responseId(),
                "input");
        if (blocked.isPresent()) {
            return new Result(Optional.empty(), Optional.of(refusal(policy, blocked.get())));
        }
        if (matches.isEmpty()) {
            return new Result(Optional.of(request), Optional.empty());
        }
        return new Result(Optional.of(new UpstreamRequest(request.model(), instructions.text(), items,
                request.metadata(), request.maxOutputTokens(), request.tools(), request.toolChoice(),
                request.upstreamParams())), Optional.empty());
    }

    /** The refusal of input that {@code block} matched: names the rule and the policy version, never the text. */
    static Admission.Refused refusal(ContentPolicy policy, Match block) {
        return Admission.Refused.of(Refusal.CONTENT_POLICY_VIOLATION, "The request was refused by content policy "
                + "rule '" + block.rule() + "' (policy " + policy.name() + ", version " + policy.version() + ").");
    }

    private static Policed police(ConversationItem item, ContentPolicy policy) {
        if (item.role().filter("assistant"::equals).isPresent()) {
            return new Policed(item, List.of(), Optional.empty());
        }
        List<Match> matches = new ArrayList<>();
        if (item.output().isPresent()) {
            ContentPolicy.Inspection output = policy.inspectInput(item.output().get());
            return new Policed(output.matches().isEmpty() ? item : new ConversationItem(item.id(), item.type(),
                    item.object(), item.status(), item.role(), item.content(), item.callId(), item.name(),
                    item.arguments(), Optional.of(output.text())), output.matches(), output.blocked());
        }
        List<ContentPart> parts = new ArrayList<>(item.content().size());
        for (ContentPart part : item.content()) {
            if (part.text().isEmpty()) {
                parts.add(part);
                continue;
            }
            ContentPolicy.Inspection text = policy.inspectInput(part.text().get());
            matches.addAll(text.matches());
            if (text.blocked().isPresent()) {
                return new Policed(item, matches, text.blocked());
            }
            parts.add(text.matches().isEmpty() ? part : new ContentPart(part.type(), Optional.of(text.text()),
                    part.transcript()));
        }
        return new Policed(matches.isEmpty() ? item : item.withContent(parts), matches, Optional.empty());
    }

    private record Policed(ConversationItem item, List<Match> matches, Optional<Match> blocked) {
    }

    /** The request to send, or the refusal. */
    record Result(Optional<UpstreamRequest> request, Optional<Admission.Refused> refused) {
    }
}
