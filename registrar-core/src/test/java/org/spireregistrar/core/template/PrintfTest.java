package org.spireregistrar.core.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Go {@code fmt} behaviour as templates reach it through {@code printf} and {@code print}. */
class PrintfTest {

  record Case(String call, String expected) {
    @Override
    public String toString() {
      return call;
    }
  }

  static Case c(String call, String expected) {
    return new Case(call, expected);
  }

  static Stream<Case> calls() {
    return Stream.of(
        // strings
        c("printf \"%5s|%-5s|\" \"a\" \"b\"", "    a|b    |"),
        c("printf \"%.2s\" \"abc\"", "ab"),
        c("printf \"%q\" \"a\\\"b\\n\"", "\"a\\\"b\\n\""),
        c("printf \"%#q\" \"ab\"", "`ab`"),
        c("printf \"%+q\" \"é\"", "\"\\u00e9\""),
        c("printf \"%q\" \"é\\x01\"", "\"é\\x01\""),
        c("printf \"%x|% x|%#x|%X\" \"hi\" \"hi\" \"hi\" \"hi\"", "6869|68 69|0x6869|6869"),
        c("printf \"%05s\" \"ab\"", "000ab"),
        // integers
        c("printf \"%05d|%+d|% d|%d\" 42 5 5 -42", "00042|+5| 5|-42"),
        c("printf \"%x|%X|%#x|%x\" 255 255 255 -255", "ff|FF|0xff|-ff"),
        c("printf \"%o|%#o|%O|%b\" 8 8 8 5", "10|010|0o10|101"),
        c("printf \"%c|%q|%U|%#U\" 65 65 65 65", "A|'A'|U+0041|U+0041 'A'"),
        c("printf \"%.3d|%8.3d|%-8d|\" 7 7 7", "007|     007|7       |"),
        c("printf \"%05d\" -42", "-0042"),
        // floats
        c("printf \"%f|%.2f|%8.2f|\" 1.5 3.14159 3.14159", "1.500000|3.14|    3.14|"),
        c("printf \"%e|%E\" 1234.5678 1234.5678", "1.234568e+03|1.234568E+03"),
        c(
            "printf \"%g|%g|%.3g|%v\" 1234.5678 1e21 1234.5678 0.000012",
            "1234.5678|1e+21|1.23e+03|1.2e-05"),
        c("printf \"%08.2f|%+.1f\" -3.14159 2.0", "-0003.14|+2.0"),
        c("printf \"%.0f|%.0f|%.1f\" 2.5 3.5 0.05", "2|4|0.1"),
        c("printf \"%x\" 1.5", "0x1.8p+00"),
        // booleans and type mismatches
        c("printf \"%t|%v\" true false", "true|false"),
        c("printf \"%d|%s|%t\" true 1 \"x\"", "%!d(bool=true)|%!s(int=1)|%!t(string=x)"),
        c("printf \"%5d\" \"ab\"", "%!d(string=   ab)"),
        // composite values
        c("printf \"%v\" .Pod", "{serviceAccount default test-pod uid-1 hostname test-node}"),
        c(
            "printf \"%+v\" .Pod",
            "{ServiceAccount:serviceAccount Namespace:default Name:test-pod UID:uid-1"
                + " Hostname:hostname NodeName:test-node}"),
        c(
            "printf \"%#v\" .Context",
            "map[string]string{\"ClusterName\":\"MYCLUSTER\", \"empty\":\"\", \"region\":\"EU-DE\"}"),
        c(
            "printf \"%d\" .Context",
            "map[%!d(string=ClusterName):%!d(string=MYCLUSTER) %!d(string=empty):%!d(string=)"
                + " %!d(string=region):%!d(string=EU-DE)]"),
        c("printf \"%#v|%#v\" \"a\" 1", "\"a\"|1"),
        c(
            "printf \"%T|%T|%T|%T|%T|%T\" .Context 1 1.5 true \"s\" .Pod",
            "map[string]string|int|float64|bool|string|PodInfo"),
        c("printf \"%v|%s\" nil nil", "<nil>|%!s(<nil>)"),
        // format errors and specials
        c("printf \"%\"", "%!(NOVERB)"),
        c("printf \"%!\"", "%!!(MISSING)"),
        c("printf \"%z\" 3", "%!z(int=3)"),
        c("printf \"%s %s\" \"a\"", "a %!s(MISSING)"),
        c("printf \"%d %d\" 1 2 3", "1 2%!(EXTRA int=3)"),
        c("printf \"%s\" \"a\" \"b\" 1", "a%!(EXTRA string=b, int=1)"),
        c("printf \"%d%%|%5%\" 5", "5%|%"),
        c("printf \"%[2]s %[1]s\" \"a\" \"b\"", "b a"),
        c("printf \"%[3]s\" \"a\"", "%!s(BADINDEX)"),
        c("printf \"%*d|%-*d|%.*f\" 5 3 5 3 2 3.14159", "    3|3    |3.14"),
        c("printf \"%*d\" \"x\" 3", "%!(BADWIDTH)3"),
        c("printf \"no verbs\"", "no verbs"),
        // print
        c("print 1 2", "1 2"),
        c("print \"a\" \"b\"", "ab"),
        c("print \"a\" 1 \"b\"", "a1b"),
        c("print 1 true 2.5", "1 true 2.5"),
        c("print nil", "<nil>"),
        c("print .Pod.Name .Context", "test-podmap[ClusterName:MYCLUSTER empty: region:EU-DE]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void formatsLikeGo(Case c) {
    String out = GoTemplate.parse("t", "{{" + c.call() + "}}").execute(GoTemplateTest.DATA);

    assertThat(out).isEqualTo(c.expected());
  }
}
