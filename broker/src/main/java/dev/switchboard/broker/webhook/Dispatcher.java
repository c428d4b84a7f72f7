package dev.switchboard.broker.webhook;

import dev.switchboard.broker.config.Webhooks;
import dev.switchboard.broker.metrics.OperatorLog;
import dev.switchboard.broker.notice.Notice;
import dev.switchboard.broker.notice.Notices;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The webhook thread's state and decisions: which endpoints a notice goes to, the limit.exceeded deduplication (and,
 * in a cluster, the claim that makes one node announce each event), the outbox, attempts and their outcomes,
 * retries, giving up and disabling. Every method runs on the webhook thread (the single-threaded {@code thread}), so
 * nothing is locked; attempt and claim outcomes arrive on client threads and are handed back to it.
 *
 * <p>Invariant: a message is in {@code pending} exactly while it is in the outbox (or, when the outbox could not be
 * written, while it is kept in memory only); at most one attempt of a message is in flight or scheduled.
 */
final class Dispatcher {
    private final Webhooks config;
    private final Outbox outbox;
    private final Deliverer deliverer;
    private final ScheduledExecutorService thread;
    private final OperatorLog log;
    private final Notices notices;
    private final InstantSource clock;
    private final WebhookMeters meters;
    private final Map<String, Pending> pending = new HashMap<>();
    private final Set<String> disabled = new HashSet<>();
    private final Set<String> limitsThisMinute = new HashSet<>();
    private final Optional<ClusterClaims> claims;
    /** Claims in flight; the only field touched off the webhook thread (a concurrent set). */
    private final Set<CompletableFuture<Void>> claiming = ConcurrentHashMap.newKeySet();
    private long dedupeMinute = Long.MIN_VALUE;
    private boolean closing;

    /** A message waiting for delivery and how many attempts it has had in this process. */
    private static final class Pending {
        final Message message;
        final Webhooks.Endpoint endpoint;
        int attempts;

        Pending(Message message, Webhooks.Endpoint endpoint) {
            this.message = message;
            this.endpoint = endpoint;
        }
    }

    Dispatcher(Webhooks config, Outbox outbox, Deliverer deliverer, ScheduledExecutorService thread, OperatorLog log,
               Notices notices, InstantSource clock, WebhookMeters meters, Optional<ClusterClaims> claims) {
        this.config = config;
        this.claims = claims;
        this.outbox = outbox;
        this.deliverer = deliverer;
        this.thread = thread;
        this.log = log;
        this.notices = notices;
        this.clock = clock;
        this.meters = meters;
    }

    /** Attempts again every message an earlier run left in the outbox. */
    void recover() {
        List<Path> unreadable = new ArrayList<>();
        List<Message> left;
        try {
            left = outbox.load(unreadable);
        } catch (IOException e) {
            meters.outboxError();
            log.warn("webhook:outbox:load", "webhook outbox {} cannot be read ({}): undelivered messages of an "
                    + "earlier run are not sent{}", outbox.dir(), e.getClass().getSimpleName());
            return;
        }
        unreadable.forEach(file -> log.warn("webhook:outbox:unreadable", "webhook outbox file {} is unreadable; "
                + "left in place{}", file));
        for (Message message : left) {
            Optional<Webhooks.Endpoint> endpoint = config.endpoints().stream()
                    .filter(e -> e.url().toString().equals(message.endpoint())).findFirst();
            if (endpoint.isEmpty()) {
                meters.dropped("unknown_endpoint");
                log.warn("webhook:outbox:unknown", "webhook message {} was for an endpoint no longer configured; "
                        + "dropped{}", message.id());
                delete(message.id());
                continue;
            }
            track(new Pending(message, endpoint.get()));
            attempt(message.id());
        }
    }

    /**
     * Turns {@code notice} into one message per subscribed endpoint, each written to the outbox, then attempted. In
     * a cluster the event is first claimed in Redis, and only the node that claims it (or every node, while Redis is
     * unreachable) enqueues it, on this thread again once the claim has completed.
     */
    void onNotice(Notice notice) {
        Optional<Payloads.Event> event = Payloads.of(notice);
        if (event.isEmpty() || isRepeatedLimit(notice)) {
            return;
        }
        Optional<Dedupe> identity = claims.isPresent() ? Dedupe.of(notice) : Optional.empty();
        if (identity.isEmpty()) {
            enqueue(event.get(), Optional.empty());
            return;
        }
        claimThenEnqueue(event.get(), identity.get());
    }

    private void claimThenEnqueue(Payloads.Event event, Dedupe identity) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        claiming.add(settled);
        Runnable done = () -> {
            claiming.remove(settled);
            settled.complete(null);
        };
        // The outcome arrives on Lettuce's event loop; the outbox's file I/O belongs to the webhook thread.
        claims.orElseThrow().claim(identity).thenAccept(outcome -> {
            if (!onThread(() -> {
                try {
                    onClaimed(event, identity, outcome);
                } finally {
                    done.run();
                }
            })) {
                done.run();
            }
        });
    }

    private void onClaimed(Payloads.Event event, Dedupe identity, ClusterClaims.Outcome outcome) {
        meters.claim(outcome.word);
        if (outcome == ClusterClaims.Outcome.UNREACHABLE) {
            log.warn("webhook:claim:unreachable", "webhook events cannot be claimed in Redis: this node sends them "
                    + "anyway, other nodes may too (with the same webhook-id){}");
        }
        if (outcome.sends()) {
            enqueue(event, Optional.of(identity));
        }
    }

    /**
     * Futures of the claims whose outcome has not been handled yet; they complete once it has been (the messages
     * written to the outbox), or when the webhook thread has stopped.
     */
    CompletableFuture<Void> claimsSettled() {
        return CompletableFuture.allOf(claiming.toArray(CompletableFuture[]::new));
    }

    /**
     * One message per subscribed endpoint; its id derived from {@code identity} when there is one (the same on
     * every node), else random.
     */
    private void enqueue(Payloads.Event e, Optional<Dedupe> identity) {
        for (Webhooks.Endpoint endpoint : config.endpoints()) {
            if (!endpoint.events().contains(e.type()) || disabled.contains(key(endpoint))
                    || (e.tenant().isPresent() && !endpoint.servesTenant(e.tenant().get()))) {
                continue;
            }
            if (pending.size() >= config.maxPending()) {
                meters.dropped("outbox_full");
                log.warn("webhook:outbox:full", "webhook outbox holds {} messages (max_pending): a {} message was "
                        + "dropped{}", pending.size(), e.type());
                continue;
            }
            String id = identity.map(d -> d.messageId(key(endpoint))).orElseGet(Message::newId);
            if (pending.containsKey(id)) {
                continue;  // the same event, enqueued here already (claims unreachable twice)
            }
            Message message = new Message(id, key(endpoint), e.type(), clock.instant(), e.body());
            try {
                outbox.write(message);
            } catch (IOException | RuntimeException ex) {
                // Delivered from memory all the same: only a restart before delivery would lose it.
                meters.outboxError();
                log.warn("webhook:outbox:write", "webhook outbox {} cannot be written ({}): messages are delivered "
                        + "from memory and lost on a restart{}", outbox.dir(), ex.getClass().getSimpleName());
            }
            track(new Pending(message, endpoint));
            attempt(message.id());
        }
    }

    /** limit.exceeded is announced at most once per tenant, key, limit and minute. */
    private boolean isRepeatedLimit(Notice notice) {
        if (!(notice instanceof Notice.LimitExceeded l)) {
            return false;
        }
        long minute = Math.floorDiv(l.at().getEpochSecond(), 60);
        if (minute != dedupeMinute) {
            dedupeMinute = minute;
            limitsThisMinute.clear();
        }
        return !limitsThisMinute.add(l.tenant() + "\n" + l.keyId() + "\n" + l.limit());
    }

    private void attempt(String id) {
        Pending p = pending.get(id);
        if (p == null || closing) {
            return;  // closing: it stays in the outbox for the next start
        }
        if (disabled.contains(key(p.endpoint))) {
            meters.dropped("disabled");
            finish(p);
            return;
        }
        if (Duration.between(p.message.created(), clock.instant()).compareTo(config.retry().maxAge()) > 0) {
            giveUp(p, "it is older than retry.max_age");
            return;
        }
        p.attempts++;
        Executor back = this::onThread;
        deliverer.send(p.endpoint, p.message, clock.instant(), outcome -> back.execute(() -> onOutcome(id, outcome)));
    }

    /** Runs {@code task} on the webhook thread; false when it has stopped. */
    private boolean onThread(Runnable task) {
        try {
            thread.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            // Stopped: the message stays in the outbox.
            return false;
        }
    }

    private void onOutcome(String id, Deliverer.Outcome outcome) {
        Pending p = pending.get(id);
        if (p == null) {
            return;
        }
        if (outcome instanceof Deliverer.Outcome.Delivered) {
            meters.delivered(p.message.type());
            finish(p);
        } else if (outcome instanceof Deliverer.Outcome.Gone gone) {
            disable(p.endpoint, gone.status());
        } else if (outcome instanceof Deliverer.Outcome.Failed failed) {
            meters.failedAttempt(failed.reason());
            retry(p, failed);
        }
    }

    private void retry(Pending p, Deliverer.Outcome.Failed failed) {
        if (p.attempts >= config.retry().attempts()) {
            giveUp(p, "it failed " + p.attempts + " attempts, the last: " + failed.detail());
            return;
        }
        Duration delay = failed.retryAfter().map(d -> min(d, config.retry().max()))
                .orElseGet(() -> backoff(p.attempts));
        log.warn("webhook:" + p.endpoint.displayUrl() + ":" + failed.reason(), "webhook delivery to {} failed ({}); "
                + "retrying{}", p.endpoint.displayUrl(), failed.detail());
        if (closing) {
            return;
        }
        String id = p.message.id();
        try {
            thread.schedule(() -> attempt(id), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Stopped: the message stays in the outbox.
        }
    }

    /** Before attempt {@code n + 1}: between half and all of {@code min(max, initial * 2^(n-1))}. */
    Duration backoff(int attempts) {
        Duration max = config.retry().max();
        Duration base = config.retry().initial();
        for (int i = 1; i < attempts && base.compareTo(max) < 0; i++) {
            base = base.multipliedBy(2);
        }
        long ceiling = min(base, max).toMillis();
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void giveUp(Pending p, String why) {
        meters.dropped("gave_up");
        log.warn("webhook:" + p.endpoint.displayUrl() + ":gave_up", "webhook message {} to {} given up: {}{}",
                p.message.id(), p.endpoint.displayUrl(), why);
        finish(p);
    }

    private void disable(Webhooks.Endpoint endpoint, int status) {
        String key = key(endpoint);
        if (!disabled.add(key)) {
            return;
        }
        meters.endpointDisabled();
        log.warn("webhook:" + endpoint.displayUrl() + ":disabled", "webhook endpoint {} answered {} Gone: disabled "
                + "until the broker restarts; its pending messages are dropped{}", endpoint.displayUrl(), status);
        notices.publish(new Notice.WebhookDisabled(clock.instant(), endpoint.displayUrl(), status));
        for (Pending p : List.copyOf(pending.values())) {
            if (key(p.endpoint).equals(key)) {
                meters.dropped("disabled");
                finish(p);
            }
        }
    }

    private void track(Pending p) {
        pending.put(p.message.id(), p);
        meters.pending(pending.size());
    }

    private void finish(Pending p) {
        pending.remove(p.message.id());
        meters.pending(pending.size());
        delete(p.message.id());
    }

    private void delete(String id) {
        try {
            outbox.delete(id);
        } catch (IOException e) {
            meters.outboxError();
            log.warn("webhook:outbox:delete", "webhook outbox file of {} cannot be deleted ({}); it may be sent again "
                    + "after a restart{}", id, e.getClass().getSimpleName());
        }
    }

    private static String key(Webhooks.Endpoint endpoint) {
        return endpoint.url().toString();
    }

    /** Stops attempting: what is pending stays in the outbox. */
    void close() {
        closing = true;
    }
}
