/**
 * The abuse suite (issue 10): a seeded protocol fuzzer against a real broker that keeps isolation defects from
 * coming back. Each test class starts one broker ({@link AbuseBroker}: embedded simulator, two tenants, one ring
 * shard so every session shares it) and drives it over real WebSockets with generated frames ({@link FrameGenerator},
 * {@link ScriptGenerator}), checking the invariants in {@link Verdicts} while a {@link Bystander} on the other tenant
 * keeps completing responses. See the "Abuse suite" section of {@code docs/protocol.md}.
 *
 * <p>Reproducing a failure: every failure message starts with {@code seed=S try=T}; rerun the class with
 * {@code -Dabuse.seed=S} (and {@code -Dabuse.try=T} to run only that try). {@link KnownDefectsTest} holds one disabled
 * regression test per defect the fuzzer found that the broker's owner has yet to fix.
 *
 * <p>Threading: each test drives its fuzz sessions from the JUnit thread; the bystander runs on one thread of its
 * own; Jetty's client threads only append received frames to the clients' queues.
 */
@NullMarked
package dev.switchboard.broker.abuse;

import org.jspecify.annotations.NullMarked;
