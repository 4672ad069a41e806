/**
 * The picocli launcher and the only composition root: the root command reads {@code -config} and
 * runs the mode it names ({@link org.spireregistrar.cli.ModeRunner} creates the one {@code
 * GrpcEntryStore}); subcommands {@code validate}, {@code plan}, {@code generate-config}, {@code
 * demo} and {@code bench} parse, call the modules and print.
 */
package org.spireregistrar.cli;
