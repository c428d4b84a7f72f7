package dev.switchboard.broker.config;

import static dev.switchboard.broker.config.BrokerConfig.or;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The audit log's settings (issue 14): where the hash-chained JSON Lines files go, how often they are forced to
 * disk, and what the broker does while records cannot be written. See {@code docs/audit.md}.
 *
 * @param dir the directory of the daily files ({@code audit-YYYY-MM-DD.jsonl}, UTC)
 * @param fsync when written records are forced to the disk
 * @param onFailure what happens to new sessions and responses while records cannot be written
 */
public record Audit(Path dir, Fsync fsync, OnFailure onFailure) {
    /** The directory when the file leaves it out. */
    public static final String DEFAULT_DIR = "./audit";

    /** When records are forced to the disk. */
    public enum Fsync implements ConfigValues.Word {
        /** After every record: a crash loses nothing that was written. */
        EVERY,
        /** At most every 100 ms: a crash may lose the last 100 ms of records. */
        BATCH
    }

    /** What the broker does while records cannot be written (disk error, full queue). */
    public enum OnFailure implements ConfigValues.Word {
        /** Refuse new sessions and responses ({@code audit_unavailable}, 503) until records are written again. */
        CLOSED,
        /** Serve on; lost records are counted ({@code broker.audit.records.lost}) and logged. */
        OPEN
    }

    @JsonCreator
    static Audit bind(@JsonProperty("dir") @Nullable String dir, @JsonProperty("fsync") @Nullable Fsync fsync,
                      @JsonProperty("on_failure") @Nullable OnFailure onFailure) {
        ConfigRule.require(dir == null || !dir.isBlank(), "dir", "must not be empty");
        return new Audit(Path.of(or(dir, DEFAULT_DIR)), or(fsync, Fsync.BATCH), or(onFailure, OnFailure.CLOSED));
    }
}
