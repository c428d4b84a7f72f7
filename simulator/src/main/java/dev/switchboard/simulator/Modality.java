package dev.switchboard.simulator;

import java.util.Optional;

/** What a Realtime response is made of: text, or audio with a text transcript ({@code output_modalities}). */
enum Modality {
    TEXT("text"),
    AUDIO("audio");

    private final String wireName;

    Modality(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

    static Optional<Modality> of(String wireName) {
        for (Modality modality : values()) {
            if (modality.wireName.equals(wireName)) {
                return Optional.of(modality);
            }
        }
        return Optional.empty();
    }
}
