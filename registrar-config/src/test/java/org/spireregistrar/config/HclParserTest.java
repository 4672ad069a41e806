package org.spireregistrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigException;

class HclParserTest {

  /** {@code key@line=value, …}; strings quoted, blocks in braces. */
  static String render(ConfigDocument doc) {
    return doc.entries().stream()
        .map(e -> e.key() + "@" + e.line() + "=" + renderValue(e.value()))
        .collect(Collectors.joining(", "));
  }

  private static String renderValue(Object v) {
    if (v instanceof String s) {
      return HclParser.quote(s);
    }
    if (v instanceof ConfigDocument d) {
      return "{" + render(d) + "}";
    }
    if (v instanceof List<?> l) {
      return l.stream().map(HclParserTest::renderValue).collect(Collectors.joining(",", "[", "]"));
    }
    return v + (v instanceof Long ? "L" : v instanceof Double ? "D" : "");
  }

  record Case(String name, String text, String want) {
    @Override
    public String toString() {
      return name;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // What HCL v1 accepts

  static Stream<Case> valid() {
    return Stream.of(
        new Case("empty file", "", ""),
        new Case("only comments", "# a\n// b\n/* c\n d */\n", ""),
        new Case(
            "items with lines",
            "trust_domain = \"example.org\"\n\ncluster = \"prod\"\n",
            "trust_domain@1=\"example.org\", cluster@3=\"prod\""),
        new Case(
            "comments everywhere",
            "# leading\ncluster = \"c\" # trailing\n/* block */ mode = \"crd\" // end\n",
            "cluster@2=\"c\", mode@3=\"crd\""),
        new Case("CRLF line ends", "a = \"x\"\r\nb = \"y\"\r\n", "a@1=\"x\", b@2=\"y\""),
        new Case("byte-order mark", "\uFEFFa = \"x\"", "a@1=\"x\""),
        new Case(
            "string escapes",
            "a = \"q\\\"b\\\\n\\n\\t\\u00e9\\x41\\101\\U0001F600\"",
            "a@1=\"q\\\"b\\\\n\\n\\t\u00e9AA\uD83D\uDE00\""),
        new Case(
            "interpolation kept literally, quotes inside allowed",
            "a = \"${env(\"HOME\")}/x\"",
            "a@1=\"${env(\\\"HOME\\\")}/x\""),
        new Case(
            "go template braces", "a = \"ns/{{.Pod.Namespace}}\"", "a@1=\"ns/{{.Pod.Namespace}}\""),
        new Case(
            "numbers",
            "a = 42\nb = -1\nc = 0x1F\nd = 010\ne = 1.5\nf = 1e3\ng = 0",
            "a@1=42L, b@2=-1L, c@3=31L, d@4=8L, e@5=1.5D, f@6=1000.0D, g@7=0L"),
        new Case("booleans", "a = true\nb = false", "a@1=true, b@2=false"),
        new Case(
            "booleans in any case (as hcl4j and the core's ConfigParser read them)",
            "a = TRUE\nb = False\nl = [fAlSe]",
            "a@1=true, b@2=false, l@3=[false]"),
        new Case(
            "lists over lines with trailing comma and comments",
            "l = [\n  \"a\", # first\n  \"b\",\n]\ne = []",
            "l@1=[\"a\",\"b\"], e@5=[]"),
        new Case("nested list", "l = [[1, 2], [\"x\"]]", "l@1=[[1L,2L],[\"x\"]]"),
        new Case(
            "block",
            "context {\n  region = \"EU-DE\"\n  Cluster_Name = \"C\"\n}",
            "context@1={region@2=\"EU-DE\", Cluster_Name@3=\"C\"}"),
        new Case(
            "object assignment",
            "context = { region = \"EU\", zone = \"a\" }",
            "context@1={region@1=\"EU\", zone@1=\"a\"}"),
        new Case("empty block", "context {}", "context@1={}"),
        new Case(
            "labelled block nests once per label",
            "a \"b\" c {\n  d = 1\n}",
            "a@1={b@1={c@1={d@2=1L}}}"),
        new Case("quoted key", "\"trust_domain\" = \"x\"", "trust_domain@1=\"x\""),
        new Case("identifier characters", "a-b.c_d = 1", "a-b.c_d@1=1L"),
        new Case("comma between items", "a = 1, b = 2", "a@1=1L, b@1=2L"),
        new Case("items on one line", "a = 1 b = \"x\"", "a@1=1L, b@1=\"x\""),
        new Case("value on the next line", "a =\n  \"x\"", "a@1=\"x\""),
        new Case("duplicates kept in order", "a = 1\nA = 2\na = 3", "a@1=1L, A@2=2L, a@3=3L"),
        new Case(
            "heredoc",
            "t = <<EOF\nline one\n  line two\nEOF\nb = 1",
            "t@1=\"line one\\n  line two\\n\", b@5=1L"),
        new Case("indented heredoc", "t = <<-EOT\n    a\n      b\n    EOT\n", "t@1=\"a\\n  b\\n\""),
        new Case(
            "json",
            "{\n  \"trust_domain\": \"example.org\",\n  \"disabled_namespaces\": [\"a\"],\n"
                + "  \"context\": {\"k\": \"v\"},\n  \"webhook_port\": 8443,\n  \"x\": true\n}",
            "trust_domain@2=\"example.org\", disabled_namespaces@3=[\"a\"], context@4={k@4=\"v\"},"
                + " webhook_port@5=8443L, x@6=true"),
        new Case("empty json", "{}", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void decodesWhatHclV1Accepts(Case c) {
    assertThat(render(HclParser.parse(c.text(), "test.conf"))).isEqualTo(c.want());
  }

  // ---------------------------------------------------------------------------------------------
  // The malformed corpus: every file fails with the line and what was wrong

  static Stream<Case> malformed() {
    String p = "unable to decode configuration: ";
    return Stream.of(
        new Case(
            "bad HCL (upstream)",
            "INVALID",
            p + "line 1: expected \"=\" or \"{\" after key \"INVALID\", got end of file"),
        new Case(
            "stray words",
            "trust_domain = \"example.org\"\nfoo bar baz\ncluster = \"c\"\n",
            p + "line 2: expected \"=\" or \"{\" after key \"foo\", got identifier bar"),
        new Case(
            "unclosed list at end of file",
            "cluster = \"c\"\ndisabled_namespaces = [\"a\",\n",
            p + "line 2: list for key \"disabled_namespaces\" is not closed: missing \"]\""),
        new Case(
            "unclosed list before the next key",
            "disabled_namespaces = [\"a\",\n\"b\"\ncluster = \"c\"\n",
            p + "line 1: list for key \"disabled_namespaces\" is not closed: missing \"]\""),
        new Case(
            "unclosed object",
            "x = {\n",
            p + "line 1: block for key \"x\" is not closed: missing \"}\""),
        new Case(
            "unclosed block",
            "cluster = \"c\"\ncontext {\n  region = \"EU\"\n",
            p + "line 2: block for key \"context\" is not closed: missing \"}\""),
        new Case(
            "key without value at end of file",
            "trust_domain =",
            p + "line 1: key \"trust_domain\" has no value"),
        new Case(
            "key without value before the next key",
            "trust_domain =\ncluster = \"c\"\n",
            p + "line 1: key \"trust_domain\" has no value"),
        new Case(
            "key without value in a block",
            "context {\n  region =\n}\n",
            p + "line 2: key \"region\" has no value"),
        new Case(
            "key without value before a comma",
            "a = , b = 1",
            p + "line 1: key \"a\" has no value"),
        new Case(
            "unterminated string",
            "cluster = \"prod\nmode = \"crd\"\n",
            p + "line 1: string is not terminated: missing closing '\"'"),
        new Case(
            "unterminated string at end of file",
            "\n\ncluster = \"prod",
            p + "line 3: string is not terminated: missing closing '\"'"),
        new Case(
            "unquoted string",
            "cluster = prod",
            p
                + "line 1: unquoted value prod for key \"cluster\"; strings must be in double quotes"),
        new Case(
            "capitalised boolean in JSON",
            "{\"x\": 1,\n\"leader_election\": TRUE}",
            p
                + "line 2: unquoted value TRUE for key \"leader_election\"; booleans are written"
                + " true or false"),
        new Case(
            "null",
            "cluster = null",
            p
                + "line 1: unquoted value null for key \"cluster\"; strings must be in double quotes"),
        new Case(
            "single quotes",
            "cluster = 'prod'",
            p + "line 1: single-quoted strings are not allowed; use double quotes"),
        new Case(
            "list without commas",
            "disabled_namespaces = [\"a\" \"b\"]",
            p
                + "line 1: expected \",\" or \"]\" in the list for key \"disabled_namespaces\", got"
                + " string \"b\""),
        new Case(
            "unquoted list item",
            "disabled_namespaces = [kube-system]",
            p
                + "line 1: unquoted value kube-system in the list for key \"disabled_namespaces\";"
                + " strings must be in double quotes"),
        new Case(
            "empty list item",
            "l = [\"a\", , \"b\"]",
            p + "line 1: expected a value in the list for key \"l\", got \",\""),
        new Case(
            "stray closing brace",
            "cluster = \"c\"\n}\n",
            p + "line 2: unexpected \"}\": no block is open"),
        new Case("stray closing bracket", "]", p + "line 1: expected a key, got \"]\""),
        new Case("value without key", "\n= \"v\"", p + "line 2: expected a key, got \"=\""),
        new Case(
            "double equals",
            "cluster == \"c\"",
            p + "line 1: expected a value after \"cluster\" =, got \"=\""),
        new Case(
            "colon instead of equals",
            "cluster: \"c\"",
            p + "line 1: expected \"=\" or \"{\" after key \"cluster\", got \":\""),
        new Case(
            "label with equals",
            "context \"x\" = \"y\"",
            p + "line 1: expected \"=\" or \"{\" after key \"context\", got string \"x\""),
        new Case(
            "unterminated block comment",
            "cluster = \"c\"\n/* note\nmode = \"crd\"\n",
            p + "line 2: comment is not terminated: missing \"*/\""),
        new Case(
            "single slash",
            "cluster = \"c\" / 2",
            p + "line 1: unexpected character '/' (comments start with // or /*)"),
        new Case(
            "invalid escape",
            "cluster = \"a\\qb\"",
            p + "line 1: invalid escape sequence \\q in string"),
        new Case(
            "short unicode escape",
            "cluster = \"\\u12\"",
            p + "line 1: invalid escape in string: needs 4 hex digits"),
        new Case(
            "control character in string",
            "cluster = \"a\u0001b\"",
            p + "line 1: control character U+0001 in string"),
        new Case("letters in a number", "webhook_port = 94a3", p + "line 1: malformed number 94a3"),
        new Case(
            "two dots in a number", "webhook_port = 1.2.3", p + "line 1: malformed number 1.2.3"),
        new Case("bare minus", "webhook_port = -", p + "line 1: malformed number -"),
        new Case(
            "8 in an octal number",
            "webhook_port = 089",
            p + "line 1: malformed number 089: a leading 0 means octal"),
        new Case(
            "number out of range",
            "webhook_port = 99999999999999999999",
            p + "line 1: number 99999999999999999999 is out of range"),
        new Case("unexpected character", "cluster = @prod", p + "line 1: unexpected character '@'"),
        new Case(
            "non-breaking space",
            "cluster\u00a0= \"c\"",
            p + "line 1: unexpected character U+00A0"),
        new Case(
            "unterminated heredoc",
            "identity_template = <<EOF\nns/x\n",
            p + "line 1: heredoc <<EOF is not terminated: missing line EOF"),
        new Case(
            "heredoc without marker",
            "identity_template = <<\nx\n",
            p + "line 1: heredoc needs a marker after <<, e.g. <<EOF"),
        new Case(
            "heredoc marker followed by text",
            "t = <<EOF x\nEOF\n",
            p + "line 1: heredoc marker <<EOF must be followed by a newline"),
        new Case(
            "line counted past comments and heredocs",
            "# one\n/* two\nthree */\nt = <<EOF\nfive\nEOF\n\ncluster =",
            p + "line 8: key \"cluster\" has no value"),
        new Case(
            "json not closed",
            "{\"cluster\": \"c\"",
            p + "line 1: JSON object is not closed: missing \"}\""),
        new Case(
            "json missing colon",
            "{\"cluster\" \"c\"}",
            p + "line 1: expected \":\" after JSON key \"cluster\", got string \"c\""),
        new Case("json null", "{\n\"cluster\": null}", p + "line 2: key \"cluster\" has no value"),
        new Case(
            "json unquoted key",
            "{cluster: \"c\"}",
            p + "line 1: expected a quoted JSON key, got identifier cluster"),
        new Case(
            "json trailing text",
            "{}\nx = 1",
            p + "line 2: unexpected identifier x after the JSON object"),
        new Case(
            "json missing comma",
            "{\"a\": 1\n\"b\": 2}",
            p + "line 2: expected \",\" or \"}\" in JSON object, got string \"b\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedTextFailsNamingTheLine(Case c) {
    assertThat(malformed().count()).isGreaterThanOrEqualTo(25);

    Throwable thrown = quietly(() -> HclParser.parse(c.text(), "test.conf"));

    assertThat(thrown).isExactlyInstanceOf(ConfigException.class).hasMessage(c.want());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedTextFailsTheSameWayThroughTheLoaderPrintingNothing(Case c) {
    // The linter runs before hcl4j (which would accept most of these silently).
    Throwable thrown = quietly(() -> HclConfigLoader.decode(c.text(), "test.conf"));

    assertThat(thrown).isExactlyInstanceOf(ConfigException.class).hasMessage(c.want());
  }

  // ---------------------------------------------------------------------------------------------
  // Robustness: whatever the input, a ConfigException or a document, never anything else

  private static final String SAMPLE =
      "# sample\n"
          + "log_level = \"debug\"\n"
          + "trust_domain = \"example.org\"\n"
          + "server_socket_path = \"/run/spire/sockets/registration.sock\"\n"
          + "cluster = \"production\"\n"
          + "mode = \"crd\"\n"
          + "disabled_namespaces = [\"kube-system\", \"kube-public\",]\n"
          + "identity_template = \"region/{{.Context.region}}/ns/{{.Pod.Namespace}}\"\n"
          + "context {\n  region = \"EU-DE\" // note\n}\n"
          + "webhook_port = 9413\n"
          + "add_svc_dns_name = TRUE\n"
          + "dns_name_templates = [\"{{.Pod.Name}}\"]\n"
          + "cluster_dns_zone = \"$${x}.local\"\n"
          + "metrics_bind_addr = <<EOF\n:8080\nEOF\n"
          + "/* end */\n";

  @Test
  void everyTruncationEitherParsesOrFailsWithConfigException() {
    for (int i = 0; i <= SAMPLE.length(); i++) {
      String text = SAMPLE.substring(0, i);
      Throwable thrown = quietly(() -> HclConfigLoader.parse(text, "truncated.conf"));
      assertNothingOrConfigException(thrown, "prefix of length " + i);
    }
  }

  @Test
  void randomCorruptionsEitherParseOrFailWithConfigException() {
    Random random = new Random(42);
    String alphabet = "{}[]=,\"'#/*<>-.:$\\\n ax0\u00e9\u0000";
    for (int round = 0; round < 2000; round++) {
      StringBuilder b = new StringBuilder(SAMPLE);
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(b.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> b.insert(at, c);
          case 1 -> b.deleteCharAt(at);
          default -> b.setCharAt(at, c);
        }
      }
      String text = b.toString();
      Throwable thrown = quietly(() -> HclConfigLoader.parse(text, "fuzz.conf"));
      assertNothingOrConfigException(thrown, "input " + HclParser.quote(text));
    }
  }

  @Test
  void sampleParses() {
    assertThat(quietly(() -> HclConfigLoader.parse(SAMPLE, "sample.conf"))).isNull();
  }

  // ---------------------------------------------------------------------------------------------

  /** Runs {@code action}, returns what it threw (or null), and checks it printed nothing. */
  static Throwable quietly(Runnable action) {
    PrintStream err = System.err;
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    Throwable thrown;
    try {
      System.setErr(capture);
      System.setOut(capture);
      thrown = catchThrowable(action::run);
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).as("printed output").isEmpty();
    return thrown;
  }

  private static void assertNothingOrConfigException(Throwable thrown, String description) {
    if (thrown != null) {
      assertThat(thrown).as(description).isExactlyInstanceOf(ConfigException.class);
    }
  }

  @Test
  void deepNestingFailsCleanly() {
    String text = "l = " + "[".repeat(10_000);

    assertThatThrownBy(() -> HclParser.parse(text, "deep.conf"))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage("unable to decode configuration: line 1: nesting is deeper than 64 levels");
  }
}
