package dev.switchboard.simulator;

/**
 * The tokens of one completion, in order: generated text or the fragments of a tool call's arguments.
 * Not thread-safe; owned by one stream or reply.
 */
interface TokenSource {

    /** The next token; callers ask for no more than the plan's token count. */
    Token next();
}
