package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.HtmlReport;
import dev.switchboard.loadtest.report.JsonReport;
import dev.switchboard.loadtest.report.Summary;
import dev.switchboard.loadtest.report.TextReport;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Runs one load test in-process: the entry point for {@link Main} and for tests.
 *
 * <p>{@link #run} blocks the calling thread for {@code --duration}, plus at most {@code --grace} for in-flight
 * responses, plus a few seconds to close; prints a progress line to {@code out} every second and the final
 * table at the end; writes {@code --report} and {@code --html} when set. It starts its own Jetty client and
 * scheduler thread and stops both before returning, whatever happens.
 */
public final class LoadTest {
    /** The run finished without errors or seq problems. */
    public static final int EXIT_OK = 0;
    /** Errors, seq gaps or duplicates occurred, or no session connected. */
    public static final int EXIT_FAILED = 1;
    /** The command line was invalid. */
    public static final int EXIT_USAGE = 2;
    /** The broker could not be reached or refused the first session. */
    public static final int EXIT_UNREACHABLE = 3;

    private LoadTest() {
    }

    /** The broker could not be reached, or refused the first session; the message says which and why. */
    public static final class UnreachableException extends Exception {
        UnreachableException(String message) {
            super(message);
        }
    }

    /**
     * Runs the load test that {@code settings} describe.
     *
     * @return the summary; {@link Summary#exitCode()} is the process exit code it maps to
     * @throws UnreachableException if the preflight session failed; nothing was measured
     * @throws IOException if a report file cannot be written (the table has been printed)
     * @throws InterruptedException if the calling thread is interrupted; everything is stopped first
     */
    public static Summary run(Settings settings, PrintStream out)
            throws UnreachableException, IOException, InterruptedException {
        Summary summary;
        try {
            summary = new LoadRun(settings, out).execute();
        } catch (Preflight.PreflightException e) {
            throw new UnreachableException(e.getMessage());
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // Jetty's start() declares Exception; nothing else in the run throws checked exceptions.
            throw new IllegalStateException("cannot start the WebSocket client: " + e.getMessage(), e);
        }
        out.println();
        out.print(TextReport.render(summary));
        out.flush();
        if (settings.report().isPresent()) {
            JsonReport.write(summary, settings.report().get());
            out.println("JSON report: " + settings.report().get());
        }
        if (settings.html().isPresent()) {
            HtmlReport.write(summary, settings.html().get());
            out.println("HTML report: " + settings.html().get());
        }
        return summary;
    }
}
