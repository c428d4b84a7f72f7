package dev.switchboard.loadtest;

import dev.switchboard.loadtest.report.Summary;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code java -jar switchboard-loadtest.jar [options]}; {@code --help} lists them. Exit codes: 0 success,
 * 1 errors or seq problems, 2 bad arguments, 3 broker unreachable.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs with the given arguments and streams; returns the exit code instead of exiting. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(Settings.usage());
            return LoadTest.EXIT_OK;
        }
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("switchboard-loadtest: " + e.getMessage());
            err.println("Run with --help for the options.");
            return LoadTest.EXIT_USAGE;
        }
        try {
            if (settings.scenario().equals("voice")) {
                return VoiceRun.run(settings, out);
            }
            Summary summary = LoadTest.run(settings, out);
            return summary.exitCode();
        } catch (LoadTest.UnreachableException e) {
            err.println("switchboard-loadtest: " + e.getMessage());
            return LoadTest.EXIT_UNREACHABLE;
        } catch (IOException e) {
            err.println("switchboard-loadtest: cannot write a report: " + e.getMessage());
            return LoadTest.EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("switchboard-loadtest: interrupted");
            return LoadTest.EXIT_FAILED;
        }
    }
}
