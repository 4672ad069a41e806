package org.spireregistrar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spireregistrar.config.HclChecker.Elements;
import org.spireregistrar.config.HclChecker.Item;
import org.spireregistrar.config.HclChecker.Items;
import org.spireregistrar.config.HclChecker.Outline;
import org.spireregistrar.config.HclChecker.Quirk;
import org.spireregistrar.config.HclChecker.Shape;
import org.spireregistrar.core.GoQuote;
import org.spireregistrar.core.config.ConfigDocument;
import org.spireregistrar.core.config.ConfigException;

class HclCheckerTest {

  /** {@code key@line=value, …}; strings quoted, blocks in braces. */
  static String render(ConfigDocument doc) {
    return doc.entries().stream()
        .map(e -> e.key() + "@" + e.line() + "=" + renderValue(e.value()))
        .collect(Collectors.joining(", "));
  }

  private static String renderValue(Object v) {
    if (v instanceof String s) {
      return GoQuote.quote(s);
    }
    if (v instanceof ConfigDocument d) {
      return "{" + render(d) + "}";
    }
    if (v instanceof List<?> l) {
      return l.stream().map(HclCheckerTest::renderValue).collect(Collectors.joining(",", "[", "]"));
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
  // What HCL v1 accepts: the checker passes it and outlines it; the values are hcl4j's

  /**
   * A file HCL v1 accepts.
   *
   * @param outline what the checker records: {@code key@line=shape}, blocks as {@code key@line{…}}
   * @param decoded the decoded document, or the decode error when hcl4j reads the file differently
   *     from HCL v1 (the checker notes the construct; the document would hold hcl4j's misreading)
   */
  record Valid(String name, String text, String outline, String decoded) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Valid> valid() {
    String p = "unable to decode configuration: ";
    return Stream.of(
        new Valid("empty file", "", "", ""),
        new Valid("only comments", "# a\n// b\n/* c\n d */\n", "", ""),
        new Valid(
            "items with lines",
            "trust_domain = \"example.org\"\n\ncluster = \"prod\"\n",
            "trust_domain@1=string, cluster@3=string",
            "trust_domain@1=\"example.org\", cluster@3=\"prod\""),
        new Valid(
            "comments everywhere",
            "# leading\ncluster = \"c\" # trailing\n/* block */ mode = \"crd\" // end\n",
            "cluster@2=string, mode@3=string",
            "cluster@2=\"c\", mode@3=\"crd\""),
        new Valid(
            "CRLF line ends",
            "a = \"x\"\r\nb = \"y\"\r\n",
            "a@1=string, b@2=string",
            "a@1=\"x\", b@2=\"y\""),
        new Valid("byte-order mark", "\uFEFFa = \"x\"", "a@1=string", "a@1=\"x\""),
        new Valid(
            "string escapes",
            "a = \"q\\\"b\\\\n\\n\\t\\u00e9\\x41\\101\\U0001F600\"",
            "a@1=string",
            p
                + "line 1: \\u escapes in strings are not supported here (hcl4j: Illegal character"
                + " <(\\) - state: 2> found on line: 1 col: 17)"),
        new Valid(
            "interpolation kept literally, quotes inside allowed",
            "a = \"${env(\"HOME\")}/x\"",
            "a@1=string",
            p + "line 1: \"${\" interpolation is not supported in values"),
        new Valid(
            "go template braces",
            "a = \"ns/{{.Pod.Namespace}}\"",
            "a@1=string",
            "a@1=\"ns/{{.Pod.Namespace}}\""),
        new Valid(
            "numbers",
            "a = 42\nb = -1\nc = 0x1F\nd = 010\ne = 1.5\nf = 1e3\ng = 0",
            "a@1=number, b@2=number, c@3=number, d@4=number, e@5=number, f@6=number, g@7=number",
            p + "line 3: hex numbers are not supported here; write 0x1F as 31"),
        new Valid(
            "decimal numbers",
            "a = 42\nb = -1\ne = 1.5\ng = 0\nh = 07",
            "a@1=number, b@2=number, e@3=number, g@4=number, h@5=number",
            "a@1=42L, b@2=-1L, e@3=1.5D, g@4=0L, h@5=7L"),
        new Valid(
            "booleans", "a = true\nb = false", "a@1=boolean, b@2=boolean", "a@1=true, b@2=false"),
        new Valid(
            "booleans in any case (as hcl4j and the core's ConfigParser read them)",
            "a = TRUE\nb = False\nl = [fAlSe]",
            "a@1=boolean, b@2=boolean, l@3=[boolean]",
            "a@1=true, b@2=false, l@3=[false]"),
        new Valid(
            "lists over lines with trailing comma and comments",
            "l = [\n  \"a\", # first\n  \"b\",\n]\ne = []",
            "l@1=[string,string], e@5=[]",
            "l@1=[\"a\",\"b\"], e@5=[]"),
        new Valid(
            "nested list",
            "l = [[1, 2], [\"x\"]]",
            "l@1=[[number,number],[string]]",
            "l@1=[[1L,2L],[\"x\"]]"),
        new Valid(
            "block",
            "context {\n  region = \"EU-DE\"\n  Cluster_Name = \"C\"\n}",
            "context@1{region@2=string, Cluster_Name@3=string}",
            "context@1={region@2=\"EU-DE\", Cluster_Name@3=\"C\"}"),
        new Valid(
            "object assignment",
            "context = { region = \"EU\", zone = \"a\" }",
            "context@1={region@1=string, zone@1=string}",
            "context@1={region@1=\"EU\", zone@1=\"a\"}"),
        new Valid("empty block", "context {}", "context@1{}", "context@1={}"),
        new Valid(
            "labelled block nests once per label",
            "a \"b\" c {\n  d = 1\n}",
            "a@1{b@1{c@1{d@2=number}}}",
            "a@1={b@1={c@1={d@2=1L}}}"),
        new Valid(
            "quoted key",
            "\"trust_domain\" = \"x\"",
            "trust_domain@1=string",
            "trust_domain@1=\"x\""),
        new Valid("identifier characters", "a-b.c_d = 1", "a-b.c_d@1=number", "a-b.c_d@1=1L"),
        new Valid(
            "comma between items", "a = 1, b = 2", "a@1=number, b@1=number", "a@1=1L, b@1=2L"),
        new Valid(
            "items on one line",
            "a = 1 b = \"x\"",
            "a@1=number, b@1=string",
            p
                + "line 1: items on one line must be separated by commas here (hcl4j: Illegal"
                + " character <(=) - state: 14> found on line: 1 col: 9)"),
        new Valid(
            "a block and an item on one line",
            "c { a = 1 } b = \"x\"",
            "c@1{a@1=number}, b@1=string",
            "c@1={a@1=1L}, b@1=\"x\""),
        new Valid(
            "value on the next line",
            "a =\n  \"x\"",
            "a@1=string",
            p + "line 2: the value of key \"a\" must start on the line of the key here"),
        new Valid(
            "duplicates kept in order",
            "a = 1\nA = 2\na = 3",
            "a@1=number, A@2=number, a@3=number",
            "a@1=1L, A@2=2L, a@3=3L"),
        new Valid(
            "heredoc",
            "t = <<EOF\nline one\n  line two\nEOF\nb = 1",
            "t@1=string, b@5=number",
            "t@1=\"line one\\n  line two\\n\", b@5=1L"),
        new Valid(
            "indented heredoc",
            "t = <<-EOT\n    a\n      b\n    EOT\n",
            "t@1=string",
            p + "line 1: indented heredocs (<<-EOT) are not supported here; use <<"),
        new Valid(
            "json",
            "{\n  \"trust_domain\": \"example.org\",\n  \"disabled_namespaces\": [\"a\"],\n"
                + "  \"context\": {\"k\": \"v\"},\n  \"webhook_port\": 8443,\n  \"x\": true\n}",
            "trust_domain@2=string, disabled_namespaces@3=[string], context@4={k@4=string},"
                + " webhook_port@5=number, x@6=boolean",
            "trust_domain@2=\"example.org\", disabled_namespaces@3=[\"a\"], context@4={k@4=\"v\"},"
                + " webhook_port@5=8443L, x@6=true"),
        new Valid("empty json", "{}", "", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void checksAndOutlinesWhatHclV1Accepts(Valid c) {
    // The decoder hands the checker the text without a byte-order mark.
    Outline outline = HclChecker.check(c.text().replace("\uFEFF", ""));

    assertThat(outline(outline.items())).isEqualTo(c.outline());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void decodesWhatHclV1AcceptsWithHcl4jsValues(Valid c) {
    ConfigDocument[] out = new ConfigDocument[1];
    Throwable thrown = quietly(() -> out[0] = HclConfigLoader.decode(c.text(), "test.conf"));

    if (c.decoded().startsWith("unable to decode configuration: ")) {
      assertThat(thrown).isExactlyInstanceOf(ConfigException.class).hasMessage(c.decoded());
    } else {
      assertThat(thrown).isNull();
      assertThat(render(out[0])).isEqualTo(c.decoded());
    }
  }

  /** {@code key@line=shape, block@line{…}}: what the checker records. */
  static String outline(List<Item> items) {
    return items.stream()
        .map(i -> i.key() + "@" + i.line() + (i.block() ? "" : "=") + shape(i.shape()))
        .collect(Collectors.joining(", "));
  }

  private static String shape(Shape s) {
    if (s instanceof Items o) {
      return "{" + outline(o.items()) + "}";
    }
    if (s instanceof Elements l) {
      return l.shapes().stream()
          .map(HclCheckerTest::shape)
          .collect(Collectors.joining(",", "[", "]"));
    }
    return s.toString().toLowerCase(Locale.ROOT);
  }

  @Test
  void recordsEachItemsSourceSpan() {
    String hcl = "a = 1, # one\nc \"l\" {\n  b = <<EOF\nx\nEOF\n}\n";
    String json = "{\"a\": [1, 2],\n \"b\": {\"c\": true}}";

    List<Item> items = HclChecker.check(hcl).items();
    Items labelled = (Items) ((Items) items.get(1).shape()).items().get(0).shape();

    assertThat(spans(hcl, items)).containsExactly("a = 1", "c \"l\" {\n  b = <<EOF\nx\nEOF\n}");
    assertThat(spans(hcl, labelled.items())).containsExactly("b = <<EOF\nx\nEOF");
    assertThat(spans(json, HclChecker.check(json).items()))
        .containsExactly("\"a\": [1, 2]", "\"b\": {\"c\": true}");
  }

  private static List<String> spans(String text, List<Item> items) {
    return items.stream().map(i -> text.substring(i.start(), i.end())).toList();
  }

  static Stream<Case> quirks() {
    return Stream.of(
        new Case("none", "a = 1\nb = \"x\"\nc { d = [true] }", "[]"),
        new Case(
            "hex and octal numbers, exponents",
            "a = 0x10\nb = 010\nc = 07\nd = 1e3",
            "[1: hex numbers are not supported here; write 0x10 as 16, 2: numbers with a leading 0"
                + " (octal) are not supported here; write 010 as 8, 4: numbers with an exponent are"
                + " not supported here; write 1e3 as 1000]"),
        new Case(
            "interpolation, fatal",
            "a = \"${x}\"",
            "[1: \"${\" interpolation is not supported in values (fatal)]"),
        new Case(
            "escapes",
            "a = \"\\u00e9\"\nb = \"$\\n\"\nc = \"$${\\t}\"",
            "[1: \\u escapes in strings are not supported here, 2: \"$\" followed by an escape is not"
                + " supported here, 3: \\t escapes inside \"${…}\" are not supported here]"),
        new Case(
            "heredocs",
            "a = <<-EOF\n  x\n  EOF\nb = <<-EOF\nx\nEOF\nl = [<<EOF\nEOF\n]",
            "[1: indented heredocs (<<-EOF) are not supported here; use <<, 7: heredocs inside"
                + " lists are not supported here]"),
        new Case(
            "items split over lines or by comments",
            "a =\n1\nb /* c */ = 2\nc\n{ }",
            "[2: the value of key \"a\" must start on the line of the key here, 3: comments between"
                + " key \"b\" and its \"=\" are not supported here, 5: the \"{\" of block \"c\" must be"
                + " on the line of the key here]"),
        new Case(
            "labelled blocks: once, repeated, split",
            "a \"b\" { }\nc \"d\" { }\nc \"e\" { }\nf\n\"g\" { }",
            "[3: labelled blocks (key \"label\" { … }) are not supported here, 4: labelled blocks"
                + " (key \"label\" { … }) are not supported here]"),
        new Case(
            "keys",
            "\"\" = 1\n\"a\\\"b\" = 2\nré = 3\n\"c\" { }",
            "[1: empty keys are not supported here, 2: escapes in quoted keys are not supported"
                + " here, 3: unquoted keys with non-ASCII letters are not supported here; quote it,"
                + " 4: blocks with a quoted name are not supported here]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("quirks")
  void notesTheConstructsHcl4jReadsDifferently(Case c) {
    List<Quirk> quirks = HclChecker.check(c.text()).quirks();

    assertThat(
            quirks.stream()
                .map(q -> q.line() + ": " + q.what() + (q.fatal() ? " (fatal)" : ""))
                .toList()
                .toString())
        .isEqualTo(c.want());
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
            "escape beyond Unicode",
            "cluster = \"\\UFFFFFFFF\"",
            p + "line 1: invalid escape in string: not a Unicode code point"),
        new Case(
            "octal escape above 255",
            "cluster = \"\\400\"",
            p + "line 1: invalid octal escape in string: value above \\377"),
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

    Throwable thrown = quietly(() -> HclChecker.check(c.text()));

    assertThat(thrown).isExactlyInstanceOf(ConfigException.class).hasMessage(c.want());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedTextFailsTheSameWayThroughTheLoaderPrintingNothing(Case c) {
    // The checker runs before hcl4j (which would accept most of these silently).
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
          + "metrics_bind_addr = \":8080\"\n"
          + "webhook_cert_dir = <<EOF\n/run/spire/serving-certs\nEOF\n"
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
      assertNothingOrConfigException(thrown, "input " + GoQuote.quote(text));
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

    assertThatThrownBy(() -> HclChecker.check(text))
        .isExactlyInstanceOf(ConfigException.class)
        .hasMessage("unable to decode configuration: line 1: nesting is deeper than 64 levels");
  }
}
