package org.spireregistrar.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.spireregistrar.core.model.Workload;

class GoTemplateTest {

  static final Workload POD =
      new Workload(
          "default",
          "test-pod",
          "uid-1",
          "serviceAccount",
          "test-node",
          "hostname",
          "10.0.0.5",
          Map.of("app", "web"),
          Map.of(),
          false);

  static final Map<String, Object> DATA =
      TemplateData.forPod(POD, Map.of("region", "EU-DE", "ClusterName", "MYCLUSTER", "empty", ""));

  record Case(String description, String template, String expected) {
    @Override
    public String toString() {
      return description;
    }
  }

  static Case c(String description, String template, String expected) {
    return new Case(description, template, expected);
  }

  static Stream<Case> renders() {
    return Stream.of(
        // text and field references
        c("empty template", "", ""),
        c("plain text", "just text }} {", "just text }} {"),
        c("field chain", "{{.Pod.Name}}", "test-pod"),
        c("spaces inside the action", "{{   .Pod.Name   }}", "test-pod"),
        c("tabs and newlines inside the action", "{{\t.Pod.Name\n}}", "test-pod"),
        c(
            "every pod field",
            "{{.Pod.Name}}/{{.Pod.UID}}/{{.Pod.Namespace}}/{{.Pod.ServiceAccount}}/{{.Pod.Hostname}}"
                + "/{{.Pod.NodeName}}",
            "test-pod/uid-1/default/serviceAccount/hostname/test-node"),
        c("context key", "{{.Context.region}}", "EU-DE"),
        c(
            "dollar is the root",
            "{{$.Pod.Namespace}}/{{ $.Context.ClusterName }}",
            "default/MYCLUSTER"),
        c("field of a parenthesised value", "{{(.Pod).Name}}", "test-pod"),
        c(
            "a struct prints in Go field order",
            "{{.Pod}}",
            "{serviceAccount default test-pod uid-1 hostname test-node}"),
        c(
            "a map prints with sorted keys",
            "{{.Context}}",
            "map[ClusterName:MYCLUSTER empty: region:EU-DE]"),
        c(
            "default identity template",
            "ns/{{.Pod.Namespace}}/sa/{{.Pod.ServiceAccount}}",
            "ns/default/sa/serviceAccount"),
        // trimming
        c("left trim", "a \n\t{{- .Pod.Name}}", "atest-pod"),
        c("right trim", "{{.Pod.Name -}} \n b", "test-podb"),
        c("both trims", "x  {{- .Pod.Name -}}  y", "xtest-pody"),
        c("trim keeps far whitespace", "x {{- 1}} y", "x1 y"),
        c("a dash without space is a negative number", "x {{-3}}", "x -3"),
        c("trim with a number", "x {{- 3 -}} y", "x3y"),
        c("trim around a comment", "a  {{- /* c */ -}}  b", "ab"),
        c("trim with newline as the space", "a\n{{-\n.Pod.Name\n-}}\nb", "atest-podb"),
        // comments
        c("comment", "a{{/* comment */}}b", "ab"),
        c("multi-line comment", "a{{/* line1\nline2 */}}b", "ab"),
        // literals
        c("string literal", "{{\"quoted\"}}", "quoted"),
        c(
            "string escapes",
            "{{\"a\\tb\\n\\\"c\\\"\\\\\\x41\\u00e9\\U0001F600\\101\"}}",
            "a\tb\n\"c\"\\Aé\uD83D\uDE00A"),
        c("raw string", "{{`a\\n\"b\"`}}", "a\\n\"b\""),
        c("raw string across lines", "{{`a\nb`}}", "a\nb"),
        c("integer", "{{42}}", "42"),
        c("negative integer", "{{ -7 }}", "-7"),
        c("hex, octal, binary", "{{0x1F}} {{0o17}} {{017}} {{0b101}}", "31 15 15 5"),
        c("underscores", "{{1_000}}", "1000"),
        c("floats print like Go", "{{1.5}} {{1e3}} {{1e6}} {{.5}} {{1.0}}", "1.5 1000 1e+06 0.5 1"),
        c("character constant is its code point", "{{'a'}} {{'\\n'}}", "97 10"),
        c("booleans", "{{true}} {{false}}", "true false"),
        // functions
        c("index a map", "{{index .Context \"region\"}}", "EU-DE"),
        c("index without keys is the item", "{{index .Pod.Name}}", "test-pod"),
        c("index a string gives a byte", "{{index .Pod.Name 0}}", "116"),
        c("print", "{{print .Pod.Name 1 2 \"x\" true}}", "test-pod1 2xtrue"),
        c("print without arguments", "{{print}}", ""),
        c(
            "printf verbs",
            "{{printf \"%s-%d-%v-%q-%x-%%\" .Pod.Name 42 true \"q\" \"hi\"}}",
            "test-pod-42-true-\"q\"-6869-%"),
        c("printf missing argument", "{{printf \"%s/%s\" .Pod.Name}}", "test-pod/%!s(MISSING)"),
        c("printf wrong type", "{{printf \"%d\" .Pod.Name}}", "%!d(string=test-pod)"),
        c("printf extra argument", "{{printf \"%s\" \"a\" 1}}", "a%!(EXTRA int=1)"),
        c("len of a string counts bytes", "{{len .Pod.Name}} {{len \"é\"}}", "8 2"),
        c("len of a map", "{{len .Context}}", "3"),
        c("eq with one match among many", "{{eq .Pod.Name \"a\" \"test-pod\"}}", "true"),
        c("eq without a match", "{{eq .Pod.Name \"a\" \"b\"}}", "false"),
        c("eq on integers", "{{eq 3 3}} {{eq 3 4}}", "true false"),
        c("eq on structs", "{{eq .Pod .Pod}}", "true"),
        c("ne", "{{ne .Pod.Name \"a\"}} {{ne 1 1}}", "true false"),
        c("and returns the first false value", "{{and .Pod.Name \"\" .Pod.UID}}|", "|"),
        c("and returns the last value when all true", "{{and .Pod.Name .Pod.UID}}", "uid-1"),
        c("or returns the first true value", "{{or \"\" 0 .Pod.Name}}", "test-pod"),
        c("or returns the last value when all false", "{{or \"\" 0}}", "0"),
        c("and short-circuits", "{{and false (index .Context \"missing\")}}", "false"),
        c("or short-circuits", "{{or .Pod.Name (index .Context \"missing\")}}", "test-pod"),
        c("not", "{{not .Context.empty}} {{not .Pod.Name}} {{not 0}}", "true false true"),
        // if / else
        c("if true", "{{if .Pod.Name}}yes{{end}}", "yes"),
        c("if false", "{{if .Context.empty}}yes{{end}}", ""),
        c("if else", "{{if .Context.empty}}yes{{else}}no{{end}}", "no"),
        c(
            "else if chain",
            "{{if eq .Pod.Name \"a\"}}A{{else if eq .Pod.Name \"test-pod\"}}T{{else}}Z{{end}}",
            "T"),
        c("else if falls through to else", "{{if false}}A{{else if 0}}B{{else}}C{{end}}", "C"),
        c("nested if", "{{if 1}}{{if \"\"}}x{{else}}y{{end}}{{end}}", "y"),
        c(
            "truthiness of zero, empty, struct, map",
            "{{if 0}}a{{end}}{{if 0.0}}b{{end}}{{if .Pod}}c{{end}}{{if .Context}}d{{end}}",
            "cd"),
        c("if with a computed condition", "{{if eq (len .Pod.Name) 8}}eight{{end}}", "eight"),
        c("trim inside if", "{{if true -}}\n  yes\n{{- end}}", "yes"),
        // pipelines and parentheses
        c("pipe into printf", "{{.Pod.Name | printf \"%s.svc\"}}", "test-pod.svc"),
        c("pipe into len", "{{.Pod.Name | len}}", "8"),
        c("multi-stage pipeline", "{{\"region\" | index .Context | printf \"r=%s\"}}", "r=EU-DE"),
        c("piped value is the last argument", "{{\"test-pod\" | eq .Pod.Name}}", "true"),
        c(
            "parenthesised arguments",
            "{{printf \"%s-%s\" (index .Context \"region\") (.Pod.Name)}}",
            "EU-DE-test-pod"),
        c("nested parentheses", "{{((printf \"%s\" ((.Pod.Name))))}}", "test-pod"),
        c("trailing pipe is accepted as Go does", "{{.Pod.Name |}}", "test-pod"),
        // quoted literals
        c("escaped quote in a string", "{{\"a\\\"b\"}}", "a\"b"),
        c("escaped quote in a character constant", "{{print '\\''}}", "39"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void rendersLikeGo(Case c) {
    assertThat(GoTemplate.parse("t", c.template()).execute(DATA)).isEqualTo(c.expected());
  }

  static Stream<Case> parseErrors() {
    return Stream.of(
        c("range without end", "{{range .Pod}}", "template: t:1: unexpected EOF"),
        c(
            "escaped quote does not end a string",
            "{{\"a\\\"}}",
            "template: t:1: unterminated quoted string"),
        c("newline in a string", "{{\"a\nb\"}}", "template: t:1: unterminated quoted string"),
        c(
            "escaped newline in a string",
            "{{\"a\\\nb\"}}",
            "template: t:1: unterminated quoted string"),
        c(
            "escaped quote does not end a character",
            "{{'\\'}}",
            "template: t:1: unterminated character constant"),
        c("with without end", "{{with .Pod}}", "template: t:1: unexpected EOF"),
        c("define", "{{define \"x\"}}{{end}}", "template: t:1: unsupported action \"define\""),
        c("template", "{{template \"x\"}}", "template: t:1: unsupported action \"template\""),
        c("block", "{{block \"x\" .}}{{end}}", "template: t:1: unsupported action \"block\""),
        c("break outside range", "{{break}}", "template: t:1: {{break}} outside {{range}}"),
        c(
            "continue outside range",
            "{{continue}}",
            "template: t:1: {{continue}} outside {{range}}"),
        c(
            "else with after if",
            "{{if 1}}{{else with 2}}{{end}}",
            "template: t:1: unexpected <with> in input"),
        c(
            "variable declaration used in its own pipeline",
            "{{$x := $x}}",
            "template: t:1: undefined variable \"$x\""),
        c(
            "assignment to an undeclared variable",
            "{{$x = 1}}",
            "template: t:1: undefined variable \"$x\""),
        c(
            "range-style declaration outside range",
            "{{$i, $v := .}}",
            "template: t:1: too many declarations in command"),
        c("undefined variable", "{{$x}}", "template: t:1: undefined variable \"$x\""),
        c("unknown function", "{{foo .Pod}}", "template: t:1: function \"foo\" not defined"),
        c("unsupported function", "{{call .Pod}}", "template: t:1: unsupported function \"call\""),
        c(
            "comparison with one argument",
            "{{lt 1}}",
            "template: t:1: wrong number of args for lt: want 2 got 1"),
        c("unclosed action", "{{.Pod.Name", "template: t:1: unclosed action"),
        c(
            "unclosed action over lines",
            "a\n{{.Pod.Name\n\n",
            "template: t:4: unclosed action started at t:2"),
        c(
            "unexpected brace in operand",
            "{{.Pod.Name }",
            "template: t:1: unexpected \"}\" in operand"),
        c("single closing brace", "{{.Pod.Name}", "template: t:1: bad character U+007D '}'"),
        c("unclosed comment", "{{/* x", "template: t:1: unclosed comment"),
        c(
            "comment before the delimiter",
            "{{/* x */ }}",
            "template: t:1: comment ends before closing delimiter"),
        c("unterminated string", "{{ \"abc }}", "template: t:1: unterminated quoted string"),
        c("unterminated raw string", "{{ `abc }}", "template: t:1: unterminated raw quoted string"),
        c("unterminated char", "{{ 'a }}", "template: t:1: unterminated character constant"),
        c(
            "bad escape",
            "{{\"a\\qb\"}}",
            "template: t:1: invalid syntax in quoted string \"a\\qb\""),
        c("malformed char", "{{'ab'}}", "template: t:1: malformed character constant: 'ab'"),
        c("bad number", "{{3x}}", "template: t:1: bad number syntax: \"3x\""),
        c("minus before delimiter", "{{3-}}", "template: t:1: bad number syntax: \"3-\""),
        c("illegal number", "{{1e}}", "template: t:1: illegal number syntax: \"1e\""),
        c(
            "overflowing number",
            "{{99999999999999999999}}",
            "template: t:1: 99999999999999999999 overflows int"),
        c("complex number", "{{1+2i}}", "template: t:1: unsupported complex number \"1+2i\""),
        c("empty action", "{{}}", "template: t:1: missing value for command"),
        c("blank action", "{{   }}", "template: t:1: missing value for command"),
        c("if without condition", "{{if}}x{{end}}", "template: t:1: missing value for if"),
        c("end without if", "a{{end}}", "template: t:1: unexpected {{end}}"),
        c("else without if", "{{else}}", "template: t:1: unexpected {{else}}"),
        c("if without end", "{{if .Pod.Name}}\nx", "template: t:2: unexpected EOF"),
        c(
            "two elses",
            "{{if 1}}{{else}}{{else}}{{end}}",
            "template: t:1: expected end; found {{else}}"),
        c(
            "end with an argument",
            "{{if 1}}{{end .Pod}}",
            "template: t:1: unexpected \".Pod\" in end"),
        c("stray right paren", "{{)}}", "template: t:1: unexpected right paren"),
        c("unclosed left paren", "{{(.Pod.Name}}", "template: t:1: unclosed left paren"),
        c(
            "field after a literal",
            "{{\"a\".b}}",
            "template: t:1: unexpected . after term \"\\\"a\\\"\""),
        c(
            "literal in a later pipeline stage",
            "{{.Pod.Name | \"a\"}}",
            "template: t:1: non executable command in pipeline stage 2"),
        c("nil as a command", "{{nil}}", "template: t:1: nil is not a command"),
        c(
            "argument to a literal",
            "{{\"a\" \"b\"}}",
            "template: t:1: can't give argument to non-function \"a\""),
        c(
            "argument to a field",
            "{{.Pod.Name \"x\"}}",
            "template: t:1: .Pod.Name has arguments but cannot be invoked as function"),
        c(
            "piped into a field",
            "{{\"x\" | .Pod.Name}}",
            "template: t:1: .Pod.Name has arguments but cannot be invoked as function"),
        c(
            "ne with one argument",
            "{{ne 1}}",
            "template: t:1: wrong number of args for ne: want 2 got 1"),
        c(
            "not with two arguments",
            "{{not 1 2}}",
            "template: t:1: wrong number of args for not: want 1 got 2"),
        c(
            "piped value counts as an argument",
            "{{.Pod.Name | not .Pod.UID}}",
            "template: t:1: wrong number of args for not: want 1 got 2"),
        c(
            "len without arguments",
            "{{len}}",
            "template: t:1: wrong number of args for len: want 1 got 0"),
        c(
            "index without arguments",
            "{{index}}",
            "template: t:1: wrong number of args for index: want at least 1 got 0"),
        c(
            "printf without arguments",
            "{{printf}}",
            "template: t:1: wrong number of args for printf: want at least 1 got 0"),
        c(
            "eq without arguments",
            "{{eq}}",
            "template: t:1: wrong number of args for eq: want at least 1 got 0"),
        c(
            "function as an argument is called",
            "{{print len}}",
            "template: t:1: wrong number of args for len: want 1 got 0"),
        c(
            "arity error inside an untaken branch",
            "{{if false}}{{ne 1}}{{end}}",
            "template: t:1: wrong number of args for ne: want 2 got 1"),
        c("bad declaration operator", "{{.Pod.Name:}}", "template: t:1: expected :="),
        c(
            "control character",
            "{{\u0001}}",
            "template: t:1: unrecognized character in action: U+0001"),
        c(
            "error line is the error's",
            "line1\nline2 {{foo}}",
            "template: t:2: function \"foo\" not defined"),
        c(
            "too deep",
            "{{" + "(".repeat(120) + "1" + ")".repeat(120) + "}}",
            "template: t:1: exceeded maximum template depth (100)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parseErrors")
  void refusesToParse(Case c) {
    assertThatThrownBy(() -> GoTemplate.parse("t", c.template()))
        .isInstanceOf(TemplateException.class)
        .hasMessage(c.expected());
  }

  static Stream<Case> executionErrors() {
    String at = "template: t:1:";
    return Stream.of(
        c(
            "unknown pod field",
            "{{.Pod.Foo}}",
            at + "6: executing \"t\" at <.Pod.Foo>: can't evaluate field Foo in type PodInfo"),
        c(
            "position counts spaces",
            "ns/{{ .Pod.Foo }}",
            at + "10: executing \"t\" at <.Pod.Foo>: can't evaluate field Foo in type PodInfo"),
        c(
            "field names are case-sensitive",
            "{{.Pod.namespace}}",
            at
                + "6: executing \"t\" at <.Pod.namespace>: can't evaluate field namespace in type PodInfo"),
        c(
            "unknown top-level field",
            "{{.Foo}}",
            at + "2: executing \"t\" at <.Foo>: can't evaluate field Foo in type IdentityMaps"),
        c(
            "unknown chain from the root",
            "{{.Does.Not.Exist}}",
            at
                + "7: executing \"t\" at <.Does.Not.Exist>: can't evaluate field Does in type IdentityMaps"),
        c(
            "missing context key",
            "{{.Context.zone}}",
            at + "10: executing \"t\" at <.Context.zone>: map has no entry for key \"zone\""),
        c(
            "missing context key via dollar",
            "{{$.Context.zone}}",
            at + "3: executing \"t\" at <$.Context.zone>: map has no entry for key \"zone\""),
        c(
            "missing context key via index",
            "{{index .Context \"zone\"}}",
            at
                + "2: executing \"t\" at <index .Context \"zone...>: error calling index: map has no entry for key \"zone\""),
        c(
            "field of a string",
            "{{.Pod.Name.First}}",
            at
                + "6: executing \"t\" at <.Pod.Name.First>: can't evaluate field First in type string"),
        c(
            "field of a parenthesised string",
            "{{(.Pod.Name).First}}",
            at
                + "13: executing \"t\" at <(.Pod.Name).First>: can't evaluate field First in type string"),
        c(
            "index on a struct",
            "{{index .Pod \"Name\"}}",
            at
                + "2: executing \"t\" at <index .Pod \"Name\">: error calling index: can't index item of type PodInfo"),
        c(
            "index on the root struct",
            "{{index . \"Context\"}}",
            at
                + "2: executing \"t\" at <index . \"Context\">: error calling index: can't index item of type IdentityMaps"),
        c(
            "index on a non-map",
            "{{index 3 1}}",
            at
                + "2: executing \"t\" at <index 3 1>: error calling index: can't index item of type int"),
        c(
            "index on nil",
            "{{index nil 1}}",
            at + "2: executing \"t\" at <index nil 1>: error calling index: index of untyped nil"),
        c(
            "index out of range",
            "{{index .Pod.Name 8}}",
            at
                + "2: executing \"t\" at <index .Pod.Name 8>: error calling index: index out of range: 8"),
        c(
            "index a string with a string",
            "{{index .Pod.Name \"a\"}}",
            at
                + "2: executing \"t\" at <index .Pod.Name \"a\">: error calling index: cannot index slice/array with type string"),
        c(
            "index a map with a number",
            "{{index .Context 1}}",
            at
                + "2: executing \"t\" at <index .Context 1>: error calling index: value has type int; should be string"),
        c(
            "len of a number",
            "{{len 3}}",
            at + "2: executing \"t\" at <len 3>: error calling len: len of type int"),
        c(
            "len of a struct",
            "{{len .Pod}}",
            at + "2: executing \"t\" at <len .Pod>: error calling len: len of type PodInfo"),
        c(
            "eq across types",
            "{{eq .Pod.Name 1}}",
            at
                + "2: executing \"t\" at <eq .Pod.Name 1>: error calling eq: incompatible types for comparison"),
        c(
            "eq with a single argument",
            "{{eq 1}}",
            at + "2: executing \"t\" at <eq 1>: error calling eq: missing argument for comparison"),
        c(
            "eq on maps",
            "{{eq .Context .Context}}",
            at
                + "2: executing \"t\" at <eq .Context .Context>: error calling eq: non-comparable type map[string]string"),
        c(
            "ne across types",
            "{{ne \"1\" 1}}",
            at
                + "2: executing \"t\" at <ne \"1\" 1>: error calling ne: incompatible types for comparison"),
        c(
            "printf with a number format",
            "{{printf 3}}",
            at + "9: executing \"t\" at <3>: expected string; found 3"),
        c(
            "printf with a struct format",
            "{{printf .Pod}}",
            at
                + "9: executing \"t\" at <.Pod>: wrong type for value; expected string; got PodInfo"),
        c(
            "error in an if condition",
            "{{if .Pod.Foo}}x{{end}}",
            at + "9: executing \"t\" at <.Pod.Foo>: can't evaluate field Foo in type PodInfo"),
        c(
            "error inside a pipeline",
            "{{.Pod.Name | printf \"%s\" | len | index .Context}}",
            at
                + "34: executing \"t\" at <index .Context>: error calling index: value has type int; should be string"),
        c(
            "line and column on a later line",
            "line1\n  {{.Pod.Foo}}",
            "template: t:2:8: executing \"t\" at <.Pod.Foo>: can't evaluate field Foo in type PodInfo"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executionErrors")
  void failsToExecute(Case c) {
    GoTemplate template = GoTemplate.parse("t", c.template());

    assertThatThrownBy(() -> template.execute(DATA))
        .isInstanceOf(TemplateException.class)
        .hasMessage(c.expected());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{{",
        "}}{{",
        "{{.Pod.Name",
        "{{.Pod.Name}",
        "{{ .Pod.Name }",
        "{{{.Pod.Name}}}",
        "{{.Pod..Name}}",
        "{{.Pod.Name!}}",
        "{{range .}}",
        "{{if .Pod.Name}}",
        "{{end}}",
        "{{else}}",
        "{{/*",
        "{{/* */ }}",
        "{{\"}}",
        "{{`}}",
        "{{'}}",
        "{{(}}",
        "{{)}}",
        "{{$x := .Pod.Name}}{{$y}}",
        "{{$y}}",
        "{{foo}}",
        "{{call .Pod}}",
        "{{index}}",
        "{{.Pod.Name | | len}}",
        "{{- -}}",
        "{{:=}}",
        "{{ 0x }}",
        "{{ 1.2.3 }}",
        "{{ .Pod.Name \"\\z\" }}",
      })
  void malformedTemplatesAlwaysEndInTemplateException(String template) {
    assertThatThrownBy(() -> GoTemplate.parse("t", template))
        .isExactlyInstanceOf(TemplateException.class)
        .hasMessageStartingWith("template: t:");
  }

  @Test
  void integerAndBooleanLeavesWorkAsGoIntsAndBools() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("Pod", Map.of("Name", "p"));
    data.put("N", 5);
    data.put("B", true);
    data.put("Context", Map.of("k", "v"));

    String out =
        GoTemplate.parse("t", "{{.N}} {{.B}} {{if .B}}y{{end}} {{eq .N 5}} {{printf \"%03d\" .N}}")
            .execute(data);

    assertThat(out).isEqualTo("5 true y true 005");
  }

  @Test
  void plainNestedMapsWorkAsData() {
    Map<String, ?> data =
        Map.of("Pod", Map.of("Name", "web-0", "Namespace", "prod"), "Context", Map.of());

    GoTemplate template = GoTemplate.parse("t", "{{.Pod.Namespace}}/{{.Pod.Name}}");

    assertThat(template.execute(data)).isEqualTo("prod/web-0");
    assertThatThrownBy(() -> GoTemplate.parse("t", "{{.Pod.UID}}").execute(data))
        .hasMessageEndingWith("can't evaluate field UID in type PodInfo");
  }

  @Test
  void executesManyTimesWithDifferentData() {
    GoTemplate template =
        GoTemplate.parse("identity_template", "ns/{{.Pod.Namespace}}/{{.Pod.Name}}");
    Workload other =
        new Workload("kube", "dns-1", "u", "sa", "n", "", "", Map.of(), Map.of(), false);

    assertThat(template.execute(DATA)).isEqualTo("ns/default/test-pod");
    assertThat(template.execute(TemplateData.forPod(other, Map.of()))).isEqualTo("ns/kube/dns-1");
    assertThat(template.name()).isEqualTo("identity_template");
    assertThat(template.text()).isEqualTo("ns/{{.Pod.Namespace}}/{{.Pod.Name}}");
  }

  record KeysCase(String template, Set<String> keys) {
    @Override
    public String toString() {
      return template;
    }
  }

  static Stream<KeysCase> contextKeyReferences() {
    return Stream.of(
        new KeysCase("{{.Pod.Name}}", Set.of()),
        new KeysCase("{{.Context}}", Set.of()),
        new KeysCase("{{.Context.a}}/{{ $.Context.b }}", Set.of("a", "b")),
        new KeysCase("{{.Context.a.b}}", Set.of("a")),
        new KeysCase("{{index .Context \"c\"}}", Set.of("c")),
        new KeysCase("{{index $.Context `raw`}}", Set.of("raw")),
        new KeysCase("{{index .Context \"k\" \"l\"}}", Set.of("k")),
        new KeysCase("{{\"e\" | index .Context}}", Set.of("e")),
        new KeysCase("{{(.Context).f}}", Set.of("f")),
        new KeysCase("{{(index .Context \"j\").x}}", Set.of("j")),
        new KeysCase(
            "{{if .Context.g}}{{else if .Context.h}}{{else}}{{.Context.i}}{{end}}",
            Set.of("g", "h", "i")),
        new KeysCase("{{printf \"%s\" .Context.m | len}}", Set.of("m")),
        new KeysCase("{{and false (index .Context \"n\")}}", Set.of("n")),
        new KeysCase("{{index .Context .Pod.Name}}", Set.of()),
        new KeysCase("{{index .Context (print \"o\")}}", Set.of()),
        // with rebinds dot
        new KeysCase("{{with .Context.p}}{{.}}{{end}}", Set.of("p")),
        new KeysCase("{{with .Context}}{{.q}}{{index . \"r\"}}{{end}}", Set.of("q", "r")),
        new KeysCase("{{with .Pod}}{{.Name}}{{$.Context.s}}{{end}}", Set.of("s")),
        new KeysCase("{{with .Pod}}{{else}}{{.Context.t}}{{end}}", Set.of("t")),
        new KeysCase("{{with 0}}{{else with .Context}}{{.u}}{{end}}", Set.of("u")),
        new KeysCase("{{with $c := .Context}}{{$c.v}}{{end}}", Set.of("v")),
        new KeysCase("{{with .Context.w}}{{.x}}{{end}}", Set.of("w")),
        // range bodies are checked; their elements are not static
        new KeysCase("{{range .Context}}{{$.Context.y}}{{end}}", Set.of("y")),
        new KeysCase("{{range .Context}}{{.z}}{{end}}", Set.of()),
        new KeysCase("{{range $k, $v := .Context}}{{$v.a}}{{index $.Context $k}}{{end}}", Set.of()),
        new KeysCase("{{range $v := .Context}}{{else}}{{$v.b}}{{end}}", Set.of("b")),
        new KeysCase("{{range 3}}{{else}}{{.Context.c}}{{end}}", Set.of("c")),
        // variables follow what they are declared or assigned
        new KeysCase("{{$c := .Context}}{{$c.d}}", Set.of("d")),
        new KeysCase("{{$c := .Context}}{{index $c \"e\"}}", Set.of("e")),
        new KeysCase("{{$v := .Context.f}}{{$v}}", Set.of("f")),
        new KeysCase("{{$a := .Context}}{{$b := $a}}{{$b.g}}", Set.of("g")),
        new KeysCase("{{$p := .Pod}}{{$p.Name}}", Set.of()),
        new KeysCase("{{$x := .Pod}}{{if true}}{{$x = .Context}}{{end}}{{$x.h}}", Set.of("h")),
        new KeysCase("{{$x := .Pod}}{{range 2}}{{$x.i}}{{$x = $.Context}}{{end}}", Set.of("i")),
        new KeysCase("{{$ = .Context}}{{$.j}}", Set.of("j")),
        new KeysCase("{{if $c := .Context}}{{else}}{{$c.k}}{{end}}", Set.of("k")),
        new KeysCase("{{print ($c := .Context) $c.l}}", Set.of("l")),
        new KeysCase("{{$c := .Context}}{{with $c}}{{.m}}{{end}}", Set.of("m")),
        new KeysCase("{{$x := 1}}{{with $x := .Context}}{{$x.n}}{{end}}{{$x}}", Set.of("n")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contextKeyReferences")
  void findsTheContextKeysATemplateNames(KeysCase c) {
    assertThat(GoTemplate.parse("t", c.template()).contextKeys()).isEqualTo(c.keys());
  }
}
