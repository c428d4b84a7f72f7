package dev.switchboard.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Deterministic English-like text: the same seed always yields the same token sequence, on any JVM and at any
 * time, because the generator uses its own SplitMix64 arithmetic rather than {@code java.util.Random}.
 *
 * <p>{@link #seedOf} hashes a request's messages (roles and text) and its metadata, excluding {@code sim_*}
 * knobs, so changing the pacing or the token count of a request keeps its text (a shorter run is a prefix of a
 * longer one). Stateless; a {@link Tokens} instance is single-threaded.
 */
final class TextGenerator {

    static final int MIN_DEFAULT_TOKENS = 150;
    static final int MAX_DEFAULT_TOKENS = 350;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private TextGenerator() {
    }

    /** A stable 64-bit hash of the request's messages and non-knob metadata (metadata order is irrelevant). */
    static long seedOf(ChatRequest request) {
        return seedOf(request.messages(), request.metadata());
    }

    /** The seed of {@code messages} with {@code metadata}; see {@link #seedOf(ChatRequest)}. */
    static long seedOf(List<ChatRequest.Message> messages, Map<String, String> metadata) {
        long hash = FNV_OFFSET;
        for (ChatRequest.Message message : messages) {
            hash = mixIn(hash, message.role());
            hash = mixIn(hash, message.text());
        }
        hash = mixIn(hash, "\u0000metadata");
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
            if (!entry.getKey().startsWith(SimKnobs.PREFIX)) {
                hash = mixIn(hash, entry.getKey());
                hash = mixIn(hash, entry.getValue());
            }
        }
        return mix64(hash);
    }

    /** The default completion length for {@code seed}, between 150 and 350 tokens inclusive. */
    static int defaultTokenCount(long seed) {
        long span = MAX_DEFAULT_TOKENS - MIN_DEFAULT_TOKENS + 1;
        return MIN_DEFAULT_TOKENS + (int) Long.remainderUnsigned(mix64(seed ^ 0x5eed5eed5eed5eedL), span);
    }

    /** A new, unbounded token sequence for {@code seed}. */
    static Tokens tokens(long seed) {
        return new Tokens(seed);
    }

    /** Generates and concatenates the first {@code count} tokens for {@code seed}. */
    static String text(long seed, int count) {
        Tokens tokens = tokens(seed);
        StringBuilder text = new StringBuilder(count * 6);
        for (int i = 0; i < count; i++) {
            text.append(tokens.next().text());
        }
        return text.toString();
    }

    /**
     * The number of leading tokens of {@code seed}'s sequence whose concatenation is exactly {@code prefix},
     * looking at most {@code maxTokens} tokens ahead; empty when {@code prefix} does not end on a token boundary
     * of that sequence. Tokens are never empty, so the answer is the shortest (and only) such count.
     */
    static OptionalInt tokensSpelling(long seed, String prefix, int maxTokens) {
        Tokens tokens = tokens(seed);
        int matched = 0;
        for (int count = 0; count <= maxTokens; count++) {
            if (matched == prefix.length()) {
                return OptionalInt.of(count);
            }
            if (count == maxTokens) {
                break;
            }
            String text = tokens.next().text();
            if (!prefix.startsWith(text, matched)) {
                break;
            }
            matched += text.length();
        }
        return OptionalInt.empty();
    }

    private static long mixIn(long hash, String value) {
        // Length first, so ("ab","c") and ("a","bc") hash differently.
        long h = (hash ^ value.length()) * FNV_PRIME;
        for (int i = 0; i < value.length(); i++) {
            h = (h ^ value.charAt(i)) * FNV_PRIME;
        }
        return h;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * An endless token sequence built sentence by sentence from a few simple English templates (statements,
     * statements joined by a conjunction, an opener with a comma, questions), with occasional paragraph breaks.
     * After warm-up it allocates nothing per token. Not thread-safe; owned by one stream.
     */
    static final class Tokens implements TokenSource {

        private final List<Vocabulary.Word> sentence = new ArrayList<>(32);
        private long state;
        private int wordIndex;
        private Token[] pieces = new Token[0];
        private int pieceIndex;
        private boolean firstSentence = true;
        private boolean paragraphStart = true;
        private boolean paragraphPending;

        private Tokens(long seed) {
            this.state = seed;
        }

        @Override
        public Token next() {
            if (pieceIndex < pieces.length) {
                return pieces[pieceIndex++];
            }
            if (wordIndex == sentence.size()) {
                composeSentence();
            }
            if (paragraphPending) {
                paragraphPending = false;
                return Vocabulary.PARAGRAPH;
            }
            Vocabulary.Word word = sentence.get(wordIndex);
            if (wordIndex > 0) {
                pieces = word.mid();
            } else {
                pieces = paragraphStart ? word.paragraphStart() : word.sentenceStart();
                paragraphStart = false;
            }
            wordIndex++;
            pieceIndex = 1;
            return pieces[0];
        }

        private void composeSentence() {
            sentence.clear();
            wordIndex = 0;
            if (!firstSentence && nextInt(5) == 0) {
                paragraphPending = true;
                paragraphStart = true;
            }
            firstSentence = false;
            int template = nextInt(10);
            if (template < 4) {
                clause();
                end(nextInt(12) == 0 ? Vocabulary.EXCLAMATION : Vocabulary.PERIOD);
            } else if (template < 6) {
                clause();
                sentence.add(Vocabulary.COMMA);
                sentence.add(pick(Vocabulary.CONJUNCTIONS));
                clause();
                end(Vocabulary.PERIOD);
            } else if (template < 8) {
                sentence.add(pick(Vocabulary.OPENERS));
                sentence.add(Vocabulary.COMMA);
                clause();
                end(Vocabulary.PERIOD);
            } else if (template < 9) {
                sentence.add(pick(Vocabulary.QUESTION_AUXILIARIES));
                nounPhrase();
                sentence.add(pick(Vocabulary.VERBS));
                nounPhrase();
                end(Vocabulary.QUESTION);
            } else {
                nounPhrase();
                sentence.add(pick(Vocabulary.ADVERBS));
                sentence.add(pick(Vocabulary.VERBS_THIRD_PERSON));
                nounPhrase();
                sentence.add(pick(Vocabulary.PREPOSITIONS));
                nounPhrase();
                end(Vocabulary.PERIOD);
            }
        }

        /** NP [adverb] verb NP [preposition NP]. */
        private void clause() {
            nounPhrase();
            if (nextInt(5) == 0) {
                sentence.add(pick(Vocabulary.ADVERBS));
            }
            sentence.add(pick(Vocabulary.VERBS_THIRD_PERSON));
            nounPhrase();
            if (nextInt(5) < 2) {
                sentence.add(pick(Vocabulary.PREPOSITIONS));
                nounPhrase();
            }
        }

        /** Determiner [adjective] noun, with "a" becoming "an" before a vowel. */
        private void nounPhrase() {
            Vocabulary.Word determiner = pick(Vocabulary.DETERMINERS);
            boolean hasAdjective = nextInt(5) < 2;
            Vocabulary.Word next = hasAdjective ? pick(Vocabulary.ADJECTIVES) : pick(Vocabulary.NOUNS);
            sentence.add(determiner.isIndefiniteArticle() && next.startsWithVowel() ? Vocabulary.AN : determiner);
            sentence.add(next);
            if (hasAdjective) {
                sentence.add(pick(Vocabulary.NOUNS));
            }
        }

        private void end(Vocabulary.Word mark) {
            sentence.add(mark);
        }

        private Vocabulary.Word pick(List<Vocabulary.Word> words) {
            return words.get(nextInt(words.size()));
        }

        private int nextInt(int bound) {
            state += GOLDEN_GAMMA;
            return (int) Long.remainderUnsigned(mix64(state), bound);
        }
    }
}
