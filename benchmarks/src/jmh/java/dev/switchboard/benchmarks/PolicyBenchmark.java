package dev.switchboard.benchmarks;

import dev.switchboard.broker.config.ConfigException;
import dev.switchboard.broker.config.ConfigLoader;
import dev.switchboard.broker.policy.ContentPolicy;
import dev.switchboard.broker.policy.OutputPolicer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What content policy ({@code docs/policy.md}, issue 14) costs per output delta on the shard thread.
 *
 * <ul>
 *   <li>{@code standardPolicyPerDelta}: the standard output policy (PII: email, credit card, IBAN, US SSN,
 *       phone; a keyword block list; a regular-expression flag) over a stream of ordinary English deltas of a few
 *       words each, as a model writes them: the hold-back scan, the complete-match scan and the release. A policer
 *       per 200 deltas (one answer), so the pending tail stays as in production.</li>
 *   <li>{@code keywordsOnlyPerDelta}: a policy with one keyword block list, the cheapest useful policy.</li>
 *   <li>{@code noPolicy}: the control: the same delta loop without a policer.</li>
 * </ul>
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar PolicyBenchmark -f 1 -wi 3 -i 5 -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyBenchmark {
    static final String YAML = """
            policies:
              standard:
                output:
                  - {detect: pii, types: [email, credit_card, iban, us_ssn, phone], action: redact}
                  - {detect: keywords, name: banned, words: [forbidden fruit, verboten, classified], action: block}
                  - {detect: regex, name: internal-host, pattern: "\\\\b[a-z0-9-]+\\\\.corp\\\\.internal\\\\b", action: flag}
              keywords:
                output:
                  - {detect: keywords, name: banned, words: [forbidden fruit, verboten, classified], action: block}
            """;
    /** Deltas as a model streams them: a word or two with their spaces and punctuation. */
    static final String[] DELTAS = ("The| quick| brown| fox| jumps| over| the| lazy| dog|.| Then| it| rests|,| and"
            + "| the| day| goes| on| as| days| do| in| the| quiet| village| near| the| river|.").split("\\|");
    private static final int PER_ANSWER = 200;

    private ContentPolicy standard;
    private ContentPolicy keywords;
    private OutputPolicer standardPolicer;
    private OutputPolicer keywordsPolicer;
    private int next;

    @Setup
    public void setUp() throws ConfigException {
        var policies = ContentPolicy.compile(new ConfigLoader(name -> null).parse(YAML).policies());
        standard = policies.get("standard");
        keywords = policies.get("keywords");
        standardPolicer = standard.newOutput();
        keywordsPolicer = keywords.newOutput();
    }

    private String delta() {
        return DELTAS[next++ % DELTAS.length];
    }

    @Benchmark
    public String standardPolicyPerDelta() {
        if (next % PER_ANSWER == 0) {
            standardPolicer.finish();
            standardPolicer = standard.newOutput();
        }
        return standardPolicer.accept(delta());
    }

    @Benchmark
    public String keywordsOnlyPerDelta() {
        if (next % PER_ANSWER == 0) {
            keywordsPolicer.finish();
            keywordsPolicer = keywords.newOutput();
        }
        return keywordsPolicer.accept(delta());
    }

    @Benchmark
    public String noPolicy() {
        return delta();
    }
}
