package org.spireregistrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.spireregistrar.config.HclCheckerTest.quietly;
import static org.spireregistrar.config.HclCheckerTest.render;

import com.bertramlabs.plugins.hcl4j.HCLParserException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.spireregistrar.config.HclChecker.Quirk;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigException;

class Hcl4jDecoderTest {

  record Case(String name, String text, String want) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static ConfigDocument decode(String text) {
    ConfigDocument[] out = new ConfigDocument[1];
    assertThat(quietly(() -> out[0] = Hcl4jDecoder.decode(text, "t.conf"))).isNull();
    return out[0];
  }

  // ---------------------------------------------------------------------------------------------
  // hcl4j decodes; the checker gives the lines

  static Stream<Case> decoded() {
    return Stream.of(
        new Case(
            "strings, numbers, booleans with their lines",
            "trust_domain = \"example.org\"\n\nwebhook_port = 9443\nx = -1.5\nb = true",
            "trust_domain@1=\"example.org\", webhook_port@3=9443L, x@4=-1.5D, b@5=true"),
        new Case("integral floats become Long", "a = 1.0\nb = 0", "a@1=1L, b@2=0L"),
        new Case(
            "booleans in any case",
            "a = TRUE\nb = False\nl = [tRuE]",
            "a@1=true, b@2=false, l@3=[true]"),
        new Case(
            "lists over lines",
            "l = [\n  \"a\", # first\n  \"b\",\n]\ne = []\nn = [[1], [\"x\"]]",
            "l@1=[\"a\",\"b\"], e@5=[], n@6=[[1L],[\"x\"]]"),
        new Case(
            "block keeps the lines of its keys",
            "context {\n  region = \"EU-DE\"\n  Cluster_Name = \"C\"\n}",
            "context@1={region@2=\"EU-DE\", Cluster_Name@3=\"C\"}"),
        new Case(
            "object assignment",
            "context = { region = \"EU\", zone = \"a\" }",
            "context@1={region@1=\"EU\", zone@1=\"a\"}"),
        new Case("labelled block", "a \"b\" {\n  d = 1\n}", "a@1={b@1={d@2=1L}}"),
        new Case(
            "repeated keys keep every occurrence in order",
            "a = 1\nA = 2\na = 3",
            "a@1=1L, A@2=2L, a@3=3L"),
        new Case(
            "repeated list keys keep every occurrence",
            "l = [\"a\"]\nl = [\"b\", \"c\"]",
            "l@1=[\"a\"], l@2=[\"b\",\"c\"]"),
        new Case(
            "repeated blocks keep every occurrence",
            "c {\n  a = \"1\"\n}\nc { b = \"2\" }\nc = { d = \"3\" }\nc { e = \"4\" }",
            "c@1={a@2=\"1\"}, c@4={b@4=\"2\"}, c@5={d@5=\"3\"}, c@6={e@6=\"4\"}"),
        new Case(
            "repeated keys inside a block", "c {\n  a = 1\n  a = 2\n}", "c@1={a@2=1L, a@3=2L}"),
        new Case(
            "heredoc",
            "t = <<EOF\nline one\n  two\nEOF\nb = 1",
            "t@1=\"line one\\n  two\\n\", b@5=1L"),
        new Case("heredoc with CRLF", "t = <<EOF\r\nx\r\nEOF\r\nb = 1\r\n", "t@1=\"x\\n\", b@4=1L"),
        new Case("indented heredoc without indentation", "t = <<-EOF\nx\nEOF\n", "t@1=\"x\\n\""),
        new Case("escaped interpolation is literal", "a = \"$${x}\"", "a@1=\"$${x}\""),
        new Case(
            "go templates and escapes hcl4j reads",
            "a = \"{{.Pod.Name}} \\\"q\\\" \\\\ \\t\\n\"",
            "a@1=\"{{.Pod.Name}} \\\"q\\\" \\\\ \\t\\n\""),
        new Case("comma between items", "a = 1, b = 2\nc = 3", "a@1=1L, b@1=2L, c@2=3L"),
        new Case(
            "json",
            "{\n  \"trust_domain\": \"example.org\",\n  \"l\": [\"a\", 1.5],\n"
                + "  \"context\": {\"k\": \"v\"},\n  \"webhook_port\": 8443,\n  \"x\": true\n}",
            "trust_domain@2=\"example.org\", l@3=[\"a\",1.5D], context@4={k@4=\"v\"},"
                + " webhook_port@5=8443L, x@6=true"),
        new Case("json repeated key", "{\"a\": 1,\n\"a\": 2}", "a@1=1L, a@2=2L"),
        new Case(
            "repeated keys, each occurrence read by hcl4j on its own",
            "a = 1.0\nc { k = \"v\", k = [2] }\nl = [{x = TRUE, x = \"y\"}]\na = <<EOF\nz\nEOF\n",
            "a@1=1L, c@2={k@2=\"v\", k@2=[2L]}, l@3=[{x@3=true, x@3=\"y\"}], a@4=\"z\\n\""),
        new Case(
            "json repeated keys in nested objects",
            "{\"c\": {\"k\": 1,\n \"k\": \"v\"}, \"l\": [{\"x\": true, \"x\": 2.5}]}",
            "c@1={k@1=1L, k@2=\"v\"}, l@2=[{x@2=true, x@2=2.5D}]"),
        new Case("an item after a block on one line", "c { a = 1 } b = 2", "c@1={a@1=1L}, b@1=2L"),
        new Case("octal that reads the same in decimal", "a = 07\nb = -00", "a@1=7L, b@2=0L"),
        new Case(
            "comments between values",
            "a = /* c */ 1\nl = [1, # c\n  2]\nc {\n  # c\n  b = 1 # c\n}",
            "a@1=1L, l@2=[1L,2L], c@4={b@6=1L}"),
        new Case("empty file", "", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decoded")
  void decodesWithHcl4jAndTheCheckersLines(Case c) {
    assertThat(render(decode(c.text()))).isEqualTo(c.want());
  }

  @Test
  void valuesComeFromHcl4jNotTheChecker() {
    // The checker notes that a number was written; hcl4j reads every number as a Double and the
    // decoder turns integral ones into Long.
    String text = "a = 1.0";

    assertThat(HclCheckerTest.outline(HclChecker.check(text).items())).isEqualTo("a@1=number");
    assertThat(render(decode(text))).isEqualTo("a@1=1L");
  }

  // ---------------------------------------------------------------------------------------------
  // What hcl4j reads differently from HCL v1 fails, naming the line and the construct

  static Stream<Case> refused() {
    String p = "unable to decode configuration: ";
    return Stream.of(
        new Case(
            "hex number",
            "trust_domain = \"x\"\n\n\nwebhook_port = 0x10",
            p + "line 4: hex numbers are not supported here; write 0x10 as 16"),
        new Case(
            "octal number",
            "webhook_port = 010",
            p + "line 1: numbers with a leading 0 (octal) are not supported here; write 010 as 8"),
        new Case(
            "exponent",
            "a = 1\nb = 1.5e3",
            p + "line 2: numbers with an exponent are not supported here; write 1.5e3 as 1500"),
        new Case(
            "exponent in JSON",
            "{\"a\": 1e3}",
            p + "line 1: numbers with an exponent are not supported here; write 1e3 as 1000"),
        new Case(
            "integer beyond 2^53",
            "a = 9007199254740993",
            p
                + "line 1: integers beyond 2^53 are not supported here (hcl4j reads numbers as"
                + " doubles)"),
        new Case(
            "interpolation",
            "a = \"x\"\nb = \"${x}\"",
            p + "line 2: \"${\" interpolation is not supported in values"),
        new Case(
            "self-referencing interpolation (overflows hcl4j's stack)",
            "a = \"${a}\"",
            p + "line 1: \"${\" interpolation is not supported in values"),
        new Case(
            "for expression in interpolation (hcl4j prints it to stdout)",
            "a = \"${[for x in [1]: x]}\"",
            p + "line 1: \"${\" interpolation is not supported in values"),
        new Case(
            "interpolation after an escaped one",
            "a = \"$${x} $$${y}\"",
            p + "line 1: \"${\" interpolation is not supported in values"),
        new Case(
            "interpolation in a list",
            "l = [\n\"a\",\n\"${b}\"]",
            p + "line 3: \"${\" interpolation is not supported in values"),
        new Case(
            "interpolation in JSON",
            "{\"a\": \"${x}\"}",
            p + "line 1: \"${\" interpolation is not supported in values"),
        new Case(
            "unicode escape (hcl4j lexer error)",
            "a = 1\ncluster = \"caf\\u00e9\"",
            p
                + "line 2: \\u escapes in strings are not supported here (hcl4j: Illegal character"
                + " <(\\) - state: 2> found on line: 2 col: 15)"),
        new Case(
            "octal escape",
            "cluster = \"\\101\"",
            p
                + "line 1: octal escapes in strings are not supported here (hcl4j: Illegal"
                + " character <(\\) - state: 2> found on line: 1 col: 12)"),
        new Case(
            "items on one line without a comma",
            "a = 1 b = 2",
            p
                + "line 1: items on one line must be separated by commas here (hcl4j: Illegal"
                + " character <(=) - state: 14> found on line: 1 col: 9)"),
        new Case(
            "indented heredoc",
            "t = <<-EOT\n    a\n      b\n    EOT\n",
            p + "line 1: indented heredocs (<<-EOT) are not supported here; use <<"),
        new Case(
            "heredoc in a list",
            "l = [<<EOF\nx\nEOF\n]",
            p + "line 1: heredocs inside lists are not supported here"),
        new Case(
            "value on the line after its key",
            "a =\n  \"x\"\nb = 1",
            p + "line 2: the value of key \"a\" must start on the line of the key here"),
        new Case(
            "\"=\" on the line after its key",
            "a = 1\nb\n= 2",
            p + "line 2: the \"=\" must be on the line of key \"b\" here"),
        new Case(
            "block brace on the line after its key",
            "context\n{\n  a = \"1\"\n}",
            p + "line 2: the \"{\" of block \"context\" must be on the line of the key here"),
        new Case(
            "repeated labelled blocks",
            "a \"b\" { x = 1 }\na \"c\" { y = 2 }",
            p + "line 2: labelled blocks (key \"label\" { … }) are not supported here"),
        new Case(
            "non-ASCII unquoted key",
            "a = 1\nré = 2",
            p + "line 2: unquoted keys with non-ASCII letters are not supported here; quote it"),
        new Case("empty key", "\"\" = 1", p + "line 1: empty keys are not supported here"),
        new Case(
            "quoted block name",
            "\"c\" {\n  a = 1\n}",
            p + "line 1: blocks with a quoted name are not supported here"),
        new Case(
            "comma on the next line in a block",
            "c {\n  a = 1\n  , b = 2\n}",
            p
                + "line 3: a comma in a block must be on the line of the item before it here"
                + " (hcl4j: Illegal character <(,) - state: 6> found on line: 3 col: 3)"),
        new Case(
            "key both a value and a block",
            "c = \"x\"\nc { a = 1 }",
            p
                + "line 2: key \"c\" is both a value and a block here (hcl4j: HCL Block"
                + " expression scope traverses an object value)"),
        new Case(
            "a quote inside \"$${…}\" (hcl4j ends the string there)",
            "q = \"$${\"} {y}\"",
            p
                + "line 1: key \"q\": hcl4j reads string \"$${\" where HCL v1 reads string"
                + " \"$${\\\"} {y}\""),
        new Case(
            "a \"$\" before an escape (hcl4j keeps the backslash)",
            "a = \"cost: $\\n\"",
            p + "line 1: \"$\" followed by an escape is not supported here"),
        new Case(
            "an escape inside \"$${…}\" (HCL v1 keeps it as written, hcl4j reads it)",
            "a = \"$${\\\"}\"",
            p + "line 1: \\\" escapes inside \"${…}\" are not supported here"),
        new Case(
            "a comment between a key and its \"=\"",
            "a /* c */ = 1",
            p + "line 1: comments between key \"a\" and its \"=\" are not supported here"),
        new Case(
            "a comment between a JSON key and its \":\"",
            "{\"a\" /* c */ : 1}",
            p + "line 1: comments between key \"a\" and its \":\" are not supported here"),
        new Case(
            "a label on the line after its key",
            "a\n\"b\" {\n  d = 1\n}",
            p + "line 1: labelled blocks (key \"label\" { … }) are not supported here"),
        new Case(
            "escapes in a quoted key",
            "\"a\\tb\" = 1",
            p + "line 1: escapes in quoted keys are not supported here"),
        new Case(
            "hcl4j recursing without end",
            "c = { d = \"3\" } c { e = \"4\" }",
            p
                + "line 1: items on one line must be separated by commas here (hcl4j:"
                + " StackOverflowError)"),
        new Case(
            "an exponent too large to write out",
            "a = 1e999999999",
            p + "line 1: numbers with an exponent are not supported here"),
        new Case(
            "hcl4j lexer error, no construct to name",
            "a = 1\nq = \"$${x\\} y\"",
            p + "line 2: Illegal character <(\\) - state: 2> found on line: 2 col: 10"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesWhatHcl4jReadsDifferentlyPrintingNothing(Case c) {
    Throwable thrown = quietly(() -> HclConfigLoader.decode(c.text(), "t.conf"));

    assertThat(thrown).isExactlyInstanceOf(ConfigException.class).hasMessage(c.want());
  }

  // ---------------------------------------------------------------------------------------------
  // hcl4j's errors

  @Test
  void hcl4jErrorGetsItsLine() {
    Exception e =
        new RuntimeException(
            new HCLParserException("Illegal character <(x) - state: 2> found on line: 7 col: 3"));

    assertThat(Hcl4jDecoder.decodeError(e, List.of()))
        .hasMessage(
            "unable to decode configuration: line 7: Illegal character <(x) - state: 2> found"
                + " on line: 7 col: 3");
  }

  @Test
  void hcl4jErrorNamesTheConstructOnItsLineOrTheLineBefore() {
    Exception e = new HCLParserException("Illegal character <(:) - state: 6> found on line: 4");
    List<Quirk> quirks =
        List.of(new Quirk(1, "one", false), new Quirk(3, "three", false), new Quirk(9, "x", false));

    assertThat(Hcl4jDecoder.decodeError(e, quirks))
        .hasMessage(
            "unable to decode configuration: line 3: three (hcl4j: Illegal character <(:) - state:"
                + " 6> found on line: 4)");
  }

  @Test
  void hcl4jErrorWithoutALineKeepsItsMessage() {
    Exception e = new HCLParserException("HCL Block expression scope traverses an object value");

    assertThat(Hcl4jDecoder.decodeError(e, List.of()))
        .hasMessage(
            "unable to decode configuration: hcl4j: HCL Block expression scope traverses an object"
                + " value");
  }

  @Test
  void hcl4jLoggerIsOffSoItsStackTracesAreNeverPrinted() {
    // simplelogger.properties: org.slf4j.simpleLogger.log.com.bertramlabs.plugins.hcl4j=off
    assertThat(LoggerFactory.getLogger("com.bertramlabs.plugins.hcl4j.HCLParser").isErrorEnabled())
        .isFalse();
  }
}
