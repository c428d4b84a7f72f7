package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.util.Locale;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * Chat sessions that drop their connection mid-response and resume it ({@link ResumePlan}, {@link ResumeState}).
 * Checks that each session's {@code seq} stays contiguous across reconnects (the run's seq counts), that
 * {@code session.resumed} answers every reconnect, that the deltas of each response add up to its
 * {@code response.output_text.done}, and that an interrupted response has the text an uninterrupted one of the
 * same turn has ({@link TextCheck}). Times the resume and the replay.
 *
 * <p>Stamps stay off: they are part of the response text, which becomes part of the conversation, so with
 * stamps no two sessions would ask for the same thing twice and texts could not be compared across sessions.
 * Hooks run on the run thread.
 */
final class ResumeScenario implements Scenario {
    private final ResumePlan plan;
    private final Settings.ResumeOptions options;

    ResumeScenario(Settings settings) {
        this.plan = new ResumePlan(settings);
        this.options = settings.resume();
    }

    @Override
    public String name() {
        return "resume";
    }

    @Override
    public boolean sendsRequests() {
        return true;
    }

    @Override
    public Optional<ResumePlan> resumePlan() {
        return Optional.of(plan);
    }

    @Override
    public Optional<String> whyNoStamps() {
        return Optional.of("the resume scenario compares response texts across sessions, and stamps would "
                + "make them differ");
    }

    @Override
    public void report(ReportExtras extras) {
        TextCheck.Result reference = plan.reference.result();
        Histogram replayed = plan.replayedEvents.getIntervalHistogram();
        extras.resume(new Summary.ResumeStats(options.backlogMode() ? "backlog" : "drop", plan.offlineMs(),
                plan.drops.sum(), plan.resumed.sum(), counts(replayed, plan.replayedTotal.sum()), plan.backlog(),
                plan.backlogMeasured.sum(), plan.backlogShort.sum(), plan.textChecked.sum(),
                plan.textMismatches.sum(), reference.checked(), reference.mismatches(), reference.unverified()));
        if (reference.mismatches() > 0) {
            extras.error("text_reference_mismatch", reference.mismatches(), reference.mismatches() + " completed "
                    + "responses had a different text than the uninterrupted responses of the same turn");
        }
        warnings(extras, reference);
    }

    private void warnings(ReportExtras extras, TextCheck.Result reference) {
        long drops = plan.drops.sum();
        if (drops == 0) {
            extras.warn("no connection was dropped: lengthen --duration, raise --disconnect-prob, or choose "
                    + "--disconnect-after below --tokens");
        } else if (plan.resumed.sum() < drops) {
            extras.warn(String.format(Locale.ROOT, "%,d of %,d dropped connections were not resumed (see the "
                    + "errors)", drops - plan.resumed.sum(), drops));
        }
        if (!plan.referenceTexts()) {
            extras.warn("--no-sim: a real model's texts differ between sessions, so interrupted responses were not "
                    + "compared with uninterrupted ones");
        } else if (reference.unverified() > 0) {
            extras.warn(String.format(Locale.ROOT, "%,d completed responses could not be compared with an "
                    + "uninterrupted response of the same turn (none completed)", reference.unverified()));
        }
        if (plan.backlogShort.sum() > 0) {
            extras.warn(String.format(Locale.ROOT, "%,d resumes replayed fewer than %,d events (the response was "
                    + "still streaming, or the broker paused it for a full replay log): they are left out of %s",
                    plan.backlogShort.sum(), plan.backlog(), Summary.REPLAY_BACKLOG));
        }
    }

    private static Summary.CountStats counts(Histogram h, long total) {
        if (h.getTotalCount() == 0) {
            return Summary.CountStats.EMPTY;
        }
        return new Summary.CountStats(h.getTotalCount(), h.getMean(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getMaxValue(), total);
    }
}
