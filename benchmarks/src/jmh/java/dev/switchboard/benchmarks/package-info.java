/**
 * JMH microbenchmarks for the broker's hot paths: the event codec, the ring-buffer handoff and the tenant
 * guardrails.
 *
 * <p>Each benchmark builds its inputs in {@code @Setup}, returns what it computes (so the JIT cannot drop the
 * work) and names its run command in its Javadoc. Build the jar with {@code mvn -q -DskipTests package} from the
 * repository root; nothing here runs during {@code mvn verify}, and CI never asserts on the numbers. Results and
 * their interpretation live in {@code docs/benchmarks.md}.
 *
 * <p>Threading: JMH owns the benchmark threads; state objects are confined as their {@code Scope} says. The ring
 * benchmarks additionally run the shard's own consumer thread, which only increments counters.
 */
@NullMarked
package dev.switchboard.benchmarks;

import org.jspecify.annotations.NullMarked;
