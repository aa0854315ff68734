/**
 * The {@code grapevine} command line (picocli): {@code serve} runs a pub; {@code shell}, {@code
 * post} and {@code get} are clients of pubs and of the local store; {@code keygen} and {@code id}
 * handle identities. Commands stay thin: each parses its arguments into a validated {@code Request}
 * value (tested without a network) and then uses the library's public API. Failures the user can
 * act on are {@code CliException}s, printed as one line on stderr with exit status 1; usage errors
 * exit with 2.
 */
package dev.grapevine.cli;
