/**
 * The {@code grapevine} command line (picocli): {@code serve}, {@code keygen}, {@code id}. Commands
 * parse their options into a {@link dev.grapevine.NodeConfig} and use the library's public API
 * only.
 */
package dev.grapevine.cli;
