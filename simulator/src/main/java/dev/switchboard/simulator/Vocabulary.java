package dev.switchboard.simulator;

import java.util.List;
import java.util.Locale;

/**
 * The fixed word lists, by part of speech, that the {@link TextGenerator} builds sentences from, pre-split into
 * BPE-like tokens.
 *
 * <p>Each {@link Word} carries three spellings: mid-sentence ({@code " word"}), sentence start
 * ({@code " Word"}) and paragraph start ({@code "Word"}). A {@code '|'} in a list marks a sub-word token
 * boundary, so {@code "check|point"} yields {@code " check"} then {@code "point"}, as a real tokenizer would.
 * Immutable.
 *
 * <p>Changing these lists changes every simulated completion: tests and recorded fixtures depend on them.
 */
final class Vocabulary {

    /** One word (or punctuation mark) as tokens, in its three spellings; arrays must not be modified. */
    record Word(Token[] mid, Token[] sentenceStart, Token[] paragraphStart) {

        static Word of(String spelling) {
            return new Word(spell(spelling, false, true), spell(spelling, true, true), spell(spelling, true, false));
        }

        static Word punctuation(String mark) {
            Token[] token = {Token.of(mark)};
            return new Word(token, token, token);
        }

        boolean isIndefiniteArticle() {
            return " a".equals(mid[0].text());
        }

        boolean startsWithVowel() {
            return "aeiou".indexOf(Character.toLowerCase(mid[0].text().charAt(1))) >= 0;
        }
    }

    static final Word COMMA = Word.punctuation(",");
    static final Word PERIOD = Word.punctuation(".");
    static final Word QUESTION = Word.punctuation("?");
    static final Word EXCLAMATION = Word.punctuation("!");
    static final Token PARAGRAPH = Token.of("\n\n");
    static final Word AN = Word.of("an");

    static final List<Word> DETERMINERS = words("the", "a", "each", "every", "this", "that", "our", "your",
            "their", "one", "the", "the");
    static final List<Word> ADJECTIVES = words("careful", "quiet", "steady", "simple", "quick", "gentle",
            "bright", "patient", "clear", "small", "large", "early", "late", "reliable", "predict|able",
            "determin|istic", "resil|ient", "efficient", "busy", "distant", "familiar", "narrow", "modest",
            "curious", "sudden", "old", "new", "whole", "empty", "open");
    static final List<Word> NOUNS = words("session", "broker", "token", "connection", "message", "server",
            "client", "provider", "request", "response", "buffer", "queue", "thread", "socket", "event", "model",
            "network", "packet", "signal", "window", "budget", "tenant", "policy", "limit", "retry", "offset",
            "cursor", "frame", "channel", "handler", "callback", "pipeline", "deadline", "timeout", "schedule",
            "heartbeat", "replica", "cluster", "partition", "garden", "river", "mountain", "harbor", "lantern",
            "orchard", "meadow", "village", "library", "letter", "journey", "morning", "evening", "kitchen",
            "story", "question", "answer", "reason", "pattern", "detail", "moment", "check|point", "time|stamp",
            "work|load", "band|width", "through|put", "idea", "engine", "island");
    /** Base forms; the third-person form appends "s" to the last piece. */
    static final List<String> VERB_BASES = List.of("measure", "deliver", "forward", "receive", "follow",
            "remember", "gather", "keep", "track", "store", "open", "hold", "shape", "guide", "protect",
            "replay", "resume", "explain", "describe", "prepare", "notice", "balance", "recover", "visit",
            "answer", "hand|le", "sched|ule", "need", "find", "share", "trust");
    static final List<Word> VERBS = VERB_BASES.stream().map(Word::of).toList();
    static final List<Word> VERBS_THIRD_PERSON = VERB_BASES.stream().map(v -> Word.of(v + "s")).toList();
    static final List<Word> ADVERBS = words("usually", "often", "rarely", "quickly", "slowly", "quietly",
            "always", "never", "eventually", "gently", "carefully", "already", "still");
    static final List<Word> PREPOSITIONS = words("with", "without", "before", "after", "between", "through",
            "across", "into", "behind", "beside", "under", "toward", "near", "for");
    static final List<Word> OPENERS = words("However", "Meanwhile", "Eventually", "Therefore", "Sometimes",
            "Often", "Still", "Later", "Instead", "Meanwhile", "Afterwards");
    static final List<Word> CONJUNCTIONS = words("and", "but", "while", "because", "so", "and");
    static final List<Word> QUESTION_AUXILIARIES = words("does", "can", "will", "should");

    private Vocabulary() {
    }

    private static List<Word> words(String... spellings) {
        return List.of(spellings).stream().map(Word::of).toList();
    }

    private static Token[] spell(String spelling, boolean capitalise, boolean leadingSpace) {
        String[] pieces = spelling.split("\\|");
        String first = pieces[0];
        if (capitalise) {
            first = first.substring(0, 1).toUpperCase(Locale.ROOT) + first.substring(1);
        } else {
            first = first.toLowerCase(Locale.ROOT);
        }
        pieces[0] = leadingSpace ? " " + first : first;
        Token[] tokens = new Token[pieces.length];
        for (int p = 0; p < pieces.length; p++) {
            tokens[p] = Token.of(pieces[p]);
        }
        return tokens;
    }
}
