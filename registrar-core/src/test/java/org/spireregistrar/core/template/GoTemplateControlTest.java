package org.spireregistrar.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.spireregistrar.core.template.GoTemplateTest.c;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code with}, {@code range}, variables, {@code break}/{@code continue}: rows follow Go's {@code
 * text/template} exec_test.go where its data can be expressed here (slices are Java lists).
 */
class GoTemplateControlTest {

  /** Upstream's data plus slices and maps shaped like exec_test.go's {@code tVal}. */
  static final Map<String, Object> DATA = data();

  private static Map<String, Object> data() {
    Map<String, Object> d =
        new LinkedHashMap<>(
            TemplateData.forPod(
                GoTemplateTest.POD, Map.of("region", "EU-DE", "zone", "a", "empty", "")));
    d.put("SI", List.of(3, 4, 5));
    d.put("SIEmpty", List.of());
    d.put("SB", List.of(true, false));
    d.put("MSI", Map.of("one", 1, "two", 2, "three", 3));
    d.put("MSIone", Map.of("one", 1));
    d.put("MSIEmpty", Map.of());
    d.put("S", "xyz");
    d.put("I", 17);
    d.put("FloatZero", 0.0);
    d.put("Nil", null);
    return Collections.unmodifiableMap(d);
  }

  static Stream<GoTemplateTest.Case> withRenders() {
    return Stream.of(
        c("with true", "{{with true}}{{.}}{{end}}", "true"),
        c("with false", "{{with false}}{{.}}{{else}}FALSE{{end}}", "FALSE"),
        c("with 1", "{{with 1}}{{.}}{{else}}ZERO{{end}}", "1"),
        c("with 0", "{{with 0}}{{.}}{{else}}ZERO{{end}}", "ZERO"),
        c("with 1.5", "{{with 1.5}}{{.}}{{else}}ZERO{{end}}", "1.5"),
        c("with 0.0", "{{with .FloatZero}}{{.}}{{else}}ZERO{{end}}", "ZERO"),
        c("with emptystring", "{{with ``}}{{.}}{{else}}EMPTY{{end}}", "EMPTY"),
        c("with string", "{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}", "notempty"),
        c("with emptyslice", "{{with .SIEmpty}}{{.}}{{else}}EMPTY{{end}}", "EMPTY"),
        c("with slice", "{{with .SI}}{{.}}{{else}}EMPTY{{end}}", "[3 4 5]"),
        c("with emptymap", "{{with .MSIEmpty}}{{.}}{{else}}EMPTY{{end}}", "EMPTY"),
        c("with map", "{{with .MSIone}}{{.}}{{else}}EMPTY{{end}}", "map[one:1]"),
        c("with nil", "{{with .Nil}}{{.}}{{else}}NIL{{end}}", "NIL"),
        c("with a struct is always true", "{{with .Pod}}{{.Name}}{{end}}", "test-pod"),
        c("with $x int", "{{with $x := .I}}{{$x}}{{end}}", "17"),
        c("with $x struct chain", "{{with $x := $}}{{$x.Pod.Name}}{{end}}", "test-pod"),
        c(
            "with variable and action",
            "{{with $x := $}}{{$y := $.Pod.Namespace}}{{$y}}{{end}}",
            "default"),
        c("else with", "{{with 0}}{{.}}{{else with true}}{{.}}{{end}}", "true"),
        c(
            "else with chain",
            "{{with 0}}{{.}}{{else with false}}{{.}}{{else with `notempty`}}{{.}}{{end}}",
            "notempty"),
        c("else with falls through to else", "{{with 0}}a{{else with ``}}b{{else}}c{{end}}", "c"),
        c("with a context key", "{{with .Context.region}}r={{.}}{{end}}", "r=EU-DE"),
        c("with an empty context value", "{{with .Context.empty}}x{{else}}none{{end}}", "none"),
        c("dot is the context map", "{{with .Context}}{{.zone}}/{{.region}}{{end}}", "a/EU-DE"),
        c(
            "dot is restored after end",
            "{{with .Pod}}{{.Name}}{{end}}/{{.Pod.UID}}",
            "test-pod/uid-1"),
        c(
            "else sees the outer dot",
            "{{with .Context.empty}}x{{else}}{{.Pod.Name}}{{end}}",
            "test-pod"),
        c("dollar stays the root", "{{with .Pod}}{{$.Context.zone}}{{end}}", "a"),
        c(
            "nested with",
            "{{with .Context}}{{with .region}}{{printf \"%s!\" .}}{{end}}{{end}}",
            "EU-DE!"),
        c("pipeline in with", "{{with .Pod.Name | len}}{{.}}{{end}}", "8"),
        c("trim markers", "a {{- with .Pod -}} \n {{.Name}} \n {{- end -}} \n b", "atest-podb"));
  }

  static Stream<GoTemplateTest.Case> rangeRenders() {
    return Stream.of(
        c("range []int", "{{range .SI}}-{{.}}-{{end}}", "-3--4--5-"),
        c("range empty no else", "{{range .SIEmpty}}-{{.}}-{{end}}", ""),
        c("range []int else", "{{range .SI}}-{{.}}-{{else}}EMPTY{{end}}", "-3--4--5-"),
        c("range empty else", "{{range .SIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY"),
        c(
            "range []int break else",
            "{{range .SI}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}",
            "-3-"),
        c(
            "range []int continue else",
            "{{range .SI}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}",
            "-3--4--5-"),
        c("range []bool", "{{range .SB}}-{{.}}-{{end}}", "-true--false-"),
        c("range map in key order", "{{range .MSI}}-{{.}}-{{end}}", "-1--3--2-"),
        c("range empty map no else", "{{range .MSIEmpty}}-{{.}}-{{end}}", ""),
        c("range map else", "{{range .MSI}}-{{.}}-{{else}}EMPTY{{end}}", "-1--3--2-"),
        c("range empty map else", "{{range .MSIEmpty}}-{{.}}-{{else}}EMPTY{{end}}", "EMPTY"),
        c("range nil", "{{range .Nil}}-{{.}}-{{else}}NIL{{end}}", "NIL"),
        c("range $x SI", "{{range $x := .SI}}<{{$x}}>{{end}}", "<3><4><5>"),
        c("range $x $y SI", "{{range $x, $y := .SI}}<{{$x}}={{$y}}>{{end}}", "<0=3><1=4><2=5>"),
        c("range $x MSIone", "{{range $x := .MSIone}}<{{$x}}>{{end}}", "<1>"),
        c("range $x $y MSIone", "{{range $x, $y := .MSIone}}<{{$x}}={{$y}}>{{end}}", "<one=1>"),
        c("declare in range", "{{range $x := .SI}}<{{$foo:=$x}}{{$x}}>{{end}}", "<3><4><5>"),
        c(
            "range over the context in key order",
            "{{range $k, $v := .Context}}{{$k}}={{$v}};{{end}}",
            "empty=;region=EU-DE;zone=a;"),
        c("range 5", "{{range $v := 5}}{{printf \"%T%d\" $v $v}}{{end}}", "int0int1int2int3int4"),
        c("range over an int sets dot", "{{range 3}}{{.}}{{end}}", "012"),
        c("range 0 else", "{{range 0}}x{{else}}none{{end}}", "none"),
        c("range over a negative int", "{{range -2}}x{{else}}none{{end}}", "none"),
        c("range over len", "{{range len .S}}{{.}}{{end}}", "012"),
        c(
            "dollar inside range",
            "{{range .SI}}{{$.Pod.Name}}:{{.}} {{end}}",
            "test-pod:3 test-pod:4 test-pod:5 "),
        c("break inside if", "{{range .SI}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", "3"),
        c("continue inside if", "{{range .SI}}{{if eq . 4}}{{continue}}{{end}}{{.}}{{end}}", "35"),
        c("break inside with", "{{range .SI}}{{with eq . 4}}{{break}}{{end}}{{.}}{{end}}", "3"),
        c(
            "break ends only the inner range",
            "{{range .SB}}[{{range $.SI}}{{.}}{{break}}{{end}}]{{end}}",
            "[3][3]"),
        c(
            "continue in an inner range's else continues the outer range",
            "{{range .SI}}{{range $.SIEmpty}}{{else}}{{continue}}{{end}}{{.}}{{end}}x",
            "x"),
        c(
            // Go's walkRange recovers a break raised in its own else list: the inner range ends,
            // the outer one goes on.
            "break in an inner range's else ends only the inner range, as in Go",
            "{{range .SI}}{{range $.SIEmpty}}{{else}}{{break}}{{end}}{{.}}{{end}}",
            "345"),
        c(
            "range variables over a map, nested",
            "{{range $k, $v := .MSIone}}{{range $i, $e := $.SI}}{{$k}}{{$i}}{{$e}} {{end}}{{end}}",
            "one03 one14 one25 "),
        c("issue56490", "{{$i := 0}}{{$x := 0}}{{range $i = .SI}}{{end}}{{$i}}", "5"),
        c(
            "issue60801",
            "{{$k := 0}}{{$v := 0}}{{range $k, $v = .SI}}{{$k}}={{$v}} {{end}}",
            "0=3 1=4 2=5 "),
        c(
            "range variables hold the ranged value in the else list",
            "{{range $v := .SIEmpty}}x{{else}}{{len $v}}{{end}}",
            "0"),
        c("trim markers", "{{range .SI -}}\n  {{.}}\n{{- end}}", "345"));
  }

  static Stream<GoTemplateTest.Case> variableRenders() {
    return Stream.of(
        c("declaration prints nothing", "{{$x := 1}}", ""),
        c("declaration then use", "{{$x := .Pod.Name}}{{$x}}", "test-pod"),
        c("field chain on a variable", "{{$p := .Pod}}{{$p.Namespace}}", "default"),
        c("variable bound to the context", "{{$c := .Context}}{{$c.region}}", "EU-DE"),
        c("assignment prints nothing", "{{$x := 1}}{{$x = 2}}{{$x}}", "2"),
        c("assignment in if persists", "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
        c(
            "declaration in if is scoped to it",
            "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}",
            "21"),
        c("redeclaration shadows", "{{$x := 1}}{{$x := \"a\"}}{{$x}}", "a"),
        c(
            "if $x with $y int",
            "{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}",
            "true,17"),
        c(
            "if $x with $x int",
            "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}",
            "17,true"),
        c("if variable in else", "{{if $x := .Context.empty}}a{{else}}[{{$x}}]{{end}}", "[]"),
        c(
            "method-like use of a variable",
            "{{if $x := .}}-{{printf \"%s %s\" $x.Pod.Name $x.Context.zone}}{{end}}-",
            "-test-pod a-"),
        c("declaration in parentheses", "{{print ($x := 1) $x}}", "1 1"),
        c("variable piped", "{{$n := .Pod.Name}}{{$n | len}}", "8"),
        c("dollar can be assigned", "{{$ = .Context}}{{$.zone}}", "a"),
        c(
            "variable after a pipeline",
            "{{$x := .Pod.Name | printf \"%s.svc\"}}{{$x}}",
            "test-pod.svc"),
        c("variable of a variable", "{{$a := .Context}}{{$b := $a}}{{$b.zone}}", "a"),
        c(
            "assignment inside range counts",
            "{{$n := 0}}{{range $i, $e := .SI}}{{$n = $i}}{{end}}{{$n}}",
            "2"));
  }

  static Stream<GoTemplateTest.Case> comparisonRenders() {
    return Stream.of(
        c("eq 1.5 1.5", "{{eq 1.5 1.5}}", "true"),
        c("eq 1 2", "{{eq 1 2}}", "false"),
        c("eq xy xyz", "{{eq `xy` `xyz`}}", "false"),
        c("eq 3 4 5 6 3", "{{eq 3 4 5 6 3}}", "true"),
        c("eq 3 4 5 6 7", "{{eq 3 4 5 6 7}}", "false"),
        c("eq nil nil", "{{eq nil nil}}", "true"),
        c("eq nil and a value", "{{eq .Nil 0}} {{eq 0 .Nil}}", "false false"),
        c("ne 1.5 2.5", "{{ne 1.5 2.5}}", "true"),
        c("lt 1.5 1.5", "{{lt 1.5 1.5}}", "false"),
        c("lt 1.5 2.5", "{{lt 1.5 2.5}}", "true"),
        c("lt 1 1", "{{lt 1 1}}", "false"),
        c("lt 1 2", "{{lt 1 2}}", "true"),
        c("lt xy xy", "{{lt `xy` `xy`}}", "false"),
        c("lt xy xyz", "{{lt `xy` `xyz`}}", "true"),
        c("le 1.5 1.5", "{{le 1.5 1.5}}", "true"),
        c("le 2.5 1.5", "{{le 2.5 1.5}}", "false"),
        c("le 1 2", "{{le 1 2}}", "true"),
        c("le 2 1", "{{le 2 1}}", "false"),
        c("le xyz xy", "{{le `xyz` `xy`}}", "false"),
        c("gt 1.5 1.5", "{{gt 1.5 1.5}}", "false"),
        c("gt 2 1", "{{gt 2 1}}", "true"),
        c("gt 1 2", "{{gt 1 2}}", "false"),
        c("gt xy xyz", "{{gt `xy` `xyz`}}", "false"),
        c("ge 1.5 2.5", "{{ge 1.5 2.5}}", "false"),
        c("ge 2.5 1.5", "{{ge 2.5 1.5}}", "true"),
        c("ge 1 1", "{{ge 1 1}}", "true"),
        c("ge xyz xy", "{{ge `xyz` `xy`}}", "true"),
        c("negative numbers", "{{lt -1 0}} {{gt -1.5 -2.5}}", "true true"),
        c("strings compare by UTF-8 bytes", "{{lt \"\\uFF61\" \"\\U0001F600\"}}", "true"),
        c("the index of a string is a byte", "{{eq (index `x` 0) 'x'}}", "true"),
        c("with data", "{{lt (len .Pod.Name) 10}} {{ge .I 17}}", "true true"),
        c("comparison in if", "{{if gt (len .Context) 2}}many{{else}}few{{end}}", "many"),
        c("piped second argument", "{{1 | lt 0}}", "true"));
  }

  static Stream<GoTemplateTest.Case> functionRenders() {
    return Stream.of(
        // slice, from exec_test.go's slicing rows
        c("slice[:]", "{{slice .SI}}", "[3 4 5]"),
        c("slice[1:]", "{{slice .SI 1}}", "[4 5]"),
        c("slice[1:2]", "{{slice .SI 1 2}}", "[4]"),
        c("slice[1:2:3]", "{{slice .SI 1 2 3}}", "[4]"),
        c("slice[3:]", "{{slice .SI 3}}", "[]"),
        c("string[:]", "{{slice .S}}", "xyz"),
        c("string[0:1]", "{{slice .S 0 1}}", "x"),
        c("string[1:]", "{{slice .S 1}}", "yz"),
        c("string[1:2]", "{{slice .S 1 2}}", "y"),
        c("string by bytes", "{{slice \"héllo\" 0 3}}", "hé"),
        c("slice of a slice is ranged", "{{range slice .SI 1}}{{.}}{{end}}", "45"),
        c("slice then len", "{{len (slice .Pod.Name 5)}}", "3"),
        // println
        c("println", "{{println 1 2 3}}", "1 2 3\n"),
        c("println puts spaces between strings too", "{{println \"a\" \"b\"}}", "a b\n"),
        c("println without arguments", "{{println}}", "\n"),
        // html
        c(
            "html",
            "{{html \"<script>alert(\\\"XSS\\\");</script>\"}}",
            "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
        c(
            "html pipeline",
            "{{printf \"<script>alert(\\\"XSS\\\");</script>\" | html}}",
            "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
        c("html of a field", "{{html .Pod.Name}}", "test-pod"),
        c(
            "html apostrophe, ampersand and NUL",
            "{{html \"it's a&b\\x00\"}}",
            "it&#39;s a&amp;b\uFFFD"),
        c("html untyped nil", "{{html .Nil}}", "&lt;no value&gt;"),
        c("html of several values prints them as print does", "{{html 1 2 \"<\"}}", "1 2&lt;"),
        // js, from exec_test.go's TestJSEscaping
        c("js", "{{js \"It'd be nice.\"}}", "It\\'d be nice."),
        c("js quotes", "{{js `Go \"jump\" \\`}}", "Go \\\"jump\\\" \\\\"),
        c(
            "js keeps printable unicode",
            "{{js `Yukihiro says \"今日は世界\"`}}",
            "Yukihiro says \\\"今日は世界\\\""),
        c(
            "js escapes unprintable unicode",
            "{{js \"unprintable \\uFFFE\"}}",
            "unprintable \\uFFFE"),
        c("js angle brackets", "{{js `<html>`}}", "\\u003Chtml\\u003E"),
        c("js equals", "{{js `no = in attributes`}}", "no \\u003D in attributes"),
        c(
            "js ampersand",
            "{{js `&#x27; does not become HTML entity`}}",
            "\\u0026#x27; does not become HTML entity"),
        c("js control characters", "{{js \"a\\tb\\x01\"}}", "a\\u0009b\\u0001"),
        c("js non-breaking space", "{{js \"a\\u00a0b\"}}", "a\\u00A0b"),
        // urlquery
        c(
            "urlquery",
            "{{\"http://www.example.org/\"|urlquery}}",
            "http%3A%2F%2Fwww.example.org%2F"),
        c("urlquery unreserved and space", "{{urlquery \"a b-_.~\"}}", "a+b-_.~"),
        c(
            "urlquery reserved and UTF-8",
            "{{urlquery \"$&+,/:;=?@é\"}}",
            "%24%26%2B%2C%2F%3A%3B%3D%3F%40%C3%A9"),
        c("urlquery of several values", "{{urlquery 1 2}}", "1+2"),
        // lists as data
        c(
            "a list prints as a Go slice",
            "{{.SI}} {{printf \"%v %d\" .SB .SI}}",
            "[3 4 5] [true false] [3 4 5]"),
        c("len and index of a list", "{{len .SI}} {{index .SI 1}}", "3 4"),
        c("a list is true when not empty", "{{if .SI}}a{{end}}{{if .SIEmpty}}b{{end}}", "a"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "withRenders",
    "rangeRenders",
    "variableRenders",
    "comparisonRenders",
    "functionRenders"
  })
  void rendersLikeGo(GoTemplateTest.Case c) {
    assertThat(GoTemplate.parse("t", c.template()).execute(DATA)).isEqualTo(c.expected());
  }

  static Stream<GoTemplateTest.Case> parseErrors() {
    return Stream.of(
        c("undefined variable", "{{$y}}", "template: t:1: undefined variable \"$y\""),
        c(
            "undefined variable with fields",
            "{{$y.Pod}}",
            "template: t:1: undefined variable \"$y\""),
        c(
            "variable used after its with",
            "{{with $x := 1}}{{end}}{{$x}}",
            "template: t:1: undefined variable \"$x\""),
        c(
            "variable used after its range",
            "{{range $i, $e := .SI}}{{end}}{{$e}}",
            "template: t:1: undefined variable \"$e\""),
        c(
            "variable declared in a body used after end",
            "{{if true}}{{$x := 1}}{{end}}{{$x}}",
            "template: t:1: undefined variable \"$x\""),
        c(
            "variable declared in if used in else",
            "{{if .Pod}}{{$x := 1}}{{else}}{{$x}}{{end}}",
            "template: t:1: undefined variable \"$x\""),
        c(
            "assignment to a variable out of scope",
            "{{with $x := 1}}{{end}}{{$x = 2}}",
            "template: t:1: undefined variable \"$x\""),
        c(
            "range assignment to undeclared variables",
            "{{$i := 0}}{{range $i, $e = .SI}}{{end}}",
            "template: t:1: undefined variable \"$e\""),
        c(
            "break in the else of a range",
            "{{range .SI}}{{else}}{{break}}{{end}}",
            "template: t:1: {{break}} outside {{range}}"),
        c(
            "continue in a with",
            "{{with .Pod}}{{continue}}{{end}}",
            "template: t:1: {{continue}} outside {{range}}"),
        c(
            "break with an argument",
            "{{range .SI}}{{break 1}}{{end}}",
            "template: t:1: unexpected \"1\" in {{break}}"),
        c(
            "continue with an argument",
            "{{range .SI}}{{continue .}}{{end}}",
            "template: t:1: unexpected <.> in {{continue}}"),
        c(
            "too many declarations in with",
            "{{with $a, $b := .}}{{end}}",
            "template: t:1: too many declarations in with"),
        c(
            "too many declarations in range",
            "{{range $a, $b, $c := .SI}}{{end}}",
            "template: t:1: too many declarations in range"),
        c(
            "range can only initialize variables",
            "{{range $a, .}}{{end}}",
            "template: t:1: range can only initialize variables"),
        c(
            "range with a second name that is not declared",
            "{{range $a, $b}}{{end}}",
            "template: t:1: undefined variable \"$b\""),
        c(
            "else if after with",
            "{{with 1}}{{else if 2}}{{end}}",
            "template: t:1: unexpected <if> in input"),
        c(
            "else if after range",
            "{{range .SI}}{{else if 2}}{{end}}",
            "template: t:1: unexpected <if> in input"),
        c("with without pipeline", "{{with}}x{{end}}", "template: t:1: missing value for with"),
        c("range without pipeline", "{{range}}x{{end}}", "template: t:1: missing value for range"),
        c("declaration without value", "{{$x := }}", "template: t:1: missing value for command"),
        c(
            "two elses in range",
            "{{range .SI}}{{else}}{{else}}{{end}}",
            "template: t:1: expected end; found {{else}}"),
        c("range without end", "{{range .SI}}\nx", "template: t:2: unexpected EOF"),
        c("else with without end", "{{with 0}}{{else with 1}}", "template: t:1: unexpected EOF"),
        c(
            "argument to a variable",
            "{{$x := 1}}{{$x 2}}",
            "template: t:1: can't give argument to non-function $x"),
        c(
            "piped into a variable",
            "{{$x := 1}}{{3 | $x}}",
            "template: t:1: can't give argument to non-function $x"),
        c(
            "slice without arguments",
            "{{slice}}",
            "template: t:1: wrong number of args for slice: want at least 1 got 0"),
        c(
            "ge with three arguments",
            "{{ge 1 2 3}}",
            "template: t:1: wrong number of args for ge: want 2 got 3"),
        c(
            "withs nested too deep",
            "{{with 1}}".repeat(120) + "{{end}}".repeat(120),
            "template: t:1: exceeded maximum template depth (100)"),
        c(
            "ranges nested too deep",
            "{{range 1}}".repeat(120) + "{{end}}".repeat(120),
            "template: t:1: exceeded maximum template depth (100)"),
        c(
            "else with chain too long",
            "{{with 0}}" + "{{else with 0}}".repeat(120) + "{{end}}",
            "template: t:1: exceeded maximum template depth (100)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parseErrors")
  void refusesToParse(GoTemplateTest.Case c) {
    assertThatThrownBy(() -> GoTemplate.parse("t", c.template()))
        .isExactlyInstanceOf(TemplateException.class)
        .hasMessage(c.expected());
  }

  static Stream<GoTemplateTest.Case> executionErrors() {
    String at = "template: t:1:";
    return Stream.of(
        c(
            "range over a struct",
            "{{range .Pod}}{{end}}",
            at
                + "8: executing \"t\" at <.Pod>: range can't iterate over {serviceAccount default"
                + " test-pod uid-1 hostname test-node}"),
        c(
            "range over a string",
            "{{range .S}}{{end}}",
            at + "8: executing \"t\" at <.S>: range can't iterate over xyz"),
        c(
            "range over a float",
            "{{range 1.5}}{{end}}",
            at + "8: executing \"t\" at <1.5>: range can't iterate over 1.5"),
        c(
            "range over a bool",
            "{{range true}}{{end}}",
            at + "8: executing \"t\" at <true>: range can't iterate over true"),
        c(
            "range over an int with two variables",
            "{{range $i, $v := 3}}{{end}}",
            at + "18: executing \"t\" at <3>: can't use 3 to iterate over more than one variable"),
        c(
            "range over a function result",
            "{{range print 1}}{{end}}",
            at + "14: executing \"t\" at <1>: range can't iterate over 1"),
        c(
            "field of an int variable",
            "{{$x := 1}}{{$x.y}}",
            at + "15: executing \"t\" at <$x.y>: can't evaluate field y in type int"),
        c(
            "missing key through a variable",
            "{{$c := .Context}}{{$c.nope}}",
            at + "22: executing \"t\" at <$c.nope>: map has no entry for key \"nope\""),
        c(
            "missing key through with",
            "{{with .Context}}{{.nope}}{{end}}",
            at + "19: executing \"t\" at <.nope>: map has no entry for key \"nope\""),
        c(
            "field of a range element",
            "{{range .Context}}{{.x}}{{end}}",
            at + "20: executing \"t\" at <.x>: can't evaluate field x in type string"),
        c(
            "a declaration skipped by short-circuit",
            "{{and false ($x := 1)}}{{$x}}",
            at + "25: executing \"t\" at <$x>: undefined variable: $x"),
        c(
            "eq across types",
            "{{eq `xy` 1}}",
            at
                + "2: executing \"t\" at <eq `xy` 1>: error calling eq: incompatible types for comparison"),
        c(
            "eq int and float",
            "{{eq 2 2.0}}",
            at
                + "2: executing \"t\" at <eq 2 2.0>: error calling eq: incompatible types for comparison"),
        c(
            "eq on lists",
            "{{eq .SI .SI}}",
            at
                + "2: executing \"t\" at <eq .SI .SI>: error calling eq: non-comparable type []interface"
                + " {}"),
        c(
            "lt on bools",
            "{{lt true true}}",
            at
                + "2: executing \"t\" at <lt true true>: error calling lt: invalid type for comparison"),
        c(
            "lt across types",
            "{{lt 1 `a`}}",
            at
                + "2: executing \"t\" at <lt 1 `a`>: error calling lt: incompatible types for comparison"),
        c(
            "lt on nil",
            "{{lt .Nil 1}}",
            at
                + "2: executing \"t\" at <lt .Nil 1>: error calling lt: invalid type for comparison"),
        c(
            "le on structs",
            "{{le .Pod .Pod}}",
            at
                + "2: executing \"t\" at <le .Pod .Pod>: error calling le: invalid type for comparison"),
        c(
            "gt bool and int",
            "{{gt true 1}}",
            at
                + "2: executing \"t\" at <gt true 1>: error calling gt: incompatible types for comparison"),
        c(
            "ge on maps",
            "{{ge .Context 1}}",
            at
                + "2: executing \"t\" at <ge .Context 1>: error calling ge: invalid type for comparison"),
        c(
            "slice[-1:]",
            "{{slice .SI -1}}",
            at
                + "2: executing \"t\" at <slice .SI -1>: error calling slice: index out of range: -1"),
        c(
            "slice[1:-2]",
            "{{slice .SI 1 -2}}",
            at
                + "2: executing \"t\" at <slice .SI 1 -2>: error calling slice: index out of range: -2"),
        c(
            "slice[2:1]",
            "{{slice .SI 2 1}}",
            at
                + "2: executing \"t\" at <slice .SI 2 1>: error calling slice: invalid slice index: 2 > 1"),
        c(
            "slice[2:2:1]",
            "{{slice .SI 2 2 1}}",
            at
                + "2: executing \"t\" at <slice .SI 2 2 1>: error calling slice: invalid slice index: 2"
                + " > 1"),
        c(
            "slice out of range",
            "{{slice .SI 4 5}}",
            at
                + "2: executing \"t\" at <slice .SI 4 5>: error calling slice: index out of range: 4"),
        c(
            "slice of a string out of range",
            "{{slice .S 1 5}}",
            at
                + "2: executing \"t\" at <slice .S 1 5>: error calling slice: index out of range: 5"),
        c(
            "3-index slice of a string",
            "{{slice .S 1 2 2}}",
            at
                + "2: executing \"t\" at <slice .S 1 2 2>: error calling slice: cannot 3-index slice a"
                + " string"),
        c(
            "too many slice indexes",
            "{{slice .SI 1 2 3 4}}",
            at
                + "2: executing \"t\" at <slice .SI 1 2 3 4>: error calling slice: too many slice"
                + " indexes: 4"),
        c(
            "slice of nil",
            "{{slice .Nil}}",
            at + "2: executing \"t\" at <slice .Nil>: error calling slice: slice of untyped nil"),
        c(
            "slice of a map",
            "{{slice .Context 1}}",
            at
                + "2: executing \"t\" at <slice .Context 1>: error calling slice: can't slice item of"
                + " type map[string]string"),
        c(
            "slice with a string index",
            "{{slice .S `a`}}",
            at
                + "2: executing \"t\" at <slice .S `a`>: error calling slice: cannot index"
                + " slice/array with type string"),
        c(
            "slice with a nil index",
            "{{slice .S nil}}",
            at
                + "2: executing \"t\" at <slice .S nil>: error calling slice: cannot index"
                + " slice/array with nil"),
        c(
            "index of a list out of range",
            "{{index .SI 10}}",
            at
                + "2: executing \"t\" at <index .SI 10>: error calling index: index out of range: 10"),
        c(
            "index of a list with a string",
            "{{index .SI `hello`}}",
            at
                + "2: executing \"t\" at <index .SI `hello`>: error calling index: cannot index"
                + " slice/array with type string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executionErrors")
  void failsToExecute(GoTemplateTest.Case c) {
    GoTemplate template = GoTemplate.parse("t", c.template());

    assertThatThrownBy(() -> template.execute(DATA))
        .isExactlyInstanceOf(TemplateException.class)
        .hasMessage(c.expected());
  }

  static Stream<GoTemplateTest.Case> hostileTemplates() {
    String steps = "exceeded maximum execution steps (1000000)";
    String size = "exceeded maximum output size (1048576 characters written or built by functions)";
    return Stream.of(
        c("a huge range", "{{range 1000000000}}{{end}}", steps),
        c(
            "nested ranges over the data",
            "{{range 100000}}{{range $.SI}}{{range $.Context}}{{end}}{{end}}{{end}}",
            steps),
        c(
            "nested ranges over integers",
            "{{range 1000}}{{range 1000}}{{range 1000}}{{end}}{{end}}{{end}}",
            steps),
        c("a loop with a wide call", "{{range 1000000}}{{eq 1 2 3 4 5 6 7 8 9}}{{end}}", steps),
        c("output growing in a loop", "{{range 1000000}}xxxxxxxxxx{{end}}", size),
        c("printed values growing in a loop", "{{range 1000000}}{{$.Pod}}{{end}}", size),
        c(
            "strings built but not printed",
            "{{range 100000}}{{$x := printf \"%01000d\" 1}}{{end}}",
            size),
        c("one huge printf", "{{printf \"%01000000d%01000000d\" 1 2}}", size),
        c("print of many large values", "{{$x := printf \"%0500000d\" 1}}{{print $x $x $x}}", size),
        c("escaping a large value", "{{$x := printf \"%0600000d\" 1}}{{html $x}}", size),
        c(
            "a loop measuring a large string",
            "{{$s := printf \"%0900000d\" 1}}{{range 1000000}}{{len $s}}{{end}}",
            steps),
        c(
            "a loop indexing a large string",
            "{{$s := printf \"%0900000d\" 1}}{{range 1000000}}{{index $s 5}}{{end}}",
            steps),
        c(
            "a loop comparing large strings",
            "{{$s := printf \"%0900000d\" 1}}{{range 1000000}}{{lt $s $s}}{{end}}",
            steps),
        c(
            "a loop leaving a range over a map at once",
            "{{range 1000000}}{{range $.Context}}{{break}}{{end}}{{end}}",
            steps),
        c(
            "ranges nested as deep as parsing allows",
            "{{range 2}}".repeat(99) + "{{end}}".repeat(99),
            steps));
  }

  @Test
  void nestsAsDeepAsParsingAllows() {
    String text = "{{with 1}}".repeat(99) + "x" + "{{end}}".repeat(99);

    assertThat(GoTemplate.parse("t", text).execute(DATA)).isEqualTo("x");
  }

  @Test
  void manyVariablesParseAndRender() {
    String text = "{{$x := 1}}".repeat(20_000) + "{{$x}}{{$.Pod.Name}}".repeat(20_000);

    assertThat(GoTemplate.parse("t", text).execute(DATA)).isEqualTo("1test-pod".repeat(20_000));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileTemplates")
  void boundsExecutionOfHostileTemplates(GoTemplateTest.Case c) {
    GoTemplate template = GoTemplate.parse("t", c.template());

    assertThatThrownBy(() -> template.execute(DATA))
        .isExactlyInstanceOf(TemplateException.class)
        .hasMessageStartingWith("template: t:1:")
        .hasMessageEndingWith(c.expected());
  }
}
