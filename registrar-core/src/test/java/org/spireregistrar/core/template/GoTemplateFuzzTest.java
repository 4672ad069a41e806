package org.spireregistrar.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random and half-structured inputs: parsing, static analysis and execution may only ever fail with
 * {@link TemplateException}. Seeds are fixed, so a failure reproduces.
 */
class GoTemplateFuzzTest {

  private static final String[] TOKENS = {
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{-",
    "-}}",
    " ",
    "  ",
    "\t",
    "\n",
    ".",
    "$",
    "$x",
    "(",
    ")",
    "|",
    ",",
    ":=",
    "=",
    ":",
    "\"",
    "\"a\"",
    "\"%s\"",
    "\"%d %v %q %x %5.2f %[2]s %*d %\"",
    "`",
    "`r`",
    "'",
    "'a'",
    "'\\n'",
    "\\",
    "\\x",
    "\\u00",
    "/*",
    "*/",
    "{{/*",
    "*/}}",
    "Pod",
    ".Pod",
    ".Name",
    ".Pod.Name",
    ".Pod.UID",
    ".Context",
    ".Context.region",
    ".Context.nope",
    ".Foo",
    "if",
    "else",
    "end",
    "else if",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "nil",
    "true",
    "false",
    "index",
    "printf",
    "print",
    "len",
    "eq",
    "ne",
    "and",
    "or",
    "not",
    "slice",
    "foo",
    "0",
    "1",
    "-1",
    "08",
    "0x",
    "0x1F",
    "1e",
    "1e3",
    "1.5",
    ".5",
    "1_0",
    "1+2i",
    "99999999999999999999",
    "%",
    "é",
    "😀",
    "\u0001",
    "\r",
    "}",
    "{",
    "-",
    "+",
    "*",
    "!",
  };

  private static final Map<String, Object> DATA =
      TemplateData.dummy(Map.of("region", "eu", "empty", ""));

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void onlyTemplateExceptionEverEscapes(long seed) {
    Random random = new Random(seed);
    int parsed = 0;
    for (int n = 0; n < 4000; n++) {
      String text = n % 4 == 0 ? randomChars(random) : randomTokens(random, n % 2 == 0);
      if (check(text)) {
        parsed++;
      }
    }
    // Not a tautology: the generator must reach the executor, not only the parser.
    assertThat(parsed).isGreaterThan(100);
  }

  /** Returns whether the text parsed. */
  private static boolean check(String text) {
    GoTemplate template;
    try {
      template = GoTemplate.parse("fuzz", text);
    } catch (TemplateException expected) {
      assertThat(expected.getMessage()).startsWith("template: fuzz:");
      return false;
    } catch (RuntimeException | StackOverflowError e) {
      return fail("parse of %s threw %s", javaLiteral(text), e);
    }
    try {
      template.contextKeys();
      template.execute(DATA);
    } catch (TemplateException expected) {
      assertThat(expected.getMessage()).startsWith("template: fuzz:");
    } catch (RuntimeException | StackOverflowError e) {
      return fail("execute of %s threw %s", javaLiteral(text), e);
    }
    return true;
  }

  private static String randomTokens(Random random, boolean wrapInAction) {
    StringBuilder sb = new StringBuilder();
    if (wrapInAction) {
      sb.append("{{");
    }
    int count = random.nextInt(12);
    for (int i = 0; i < count; i++) {
      sb.append(TOKENS[random.nextInt(TOKENS.length)]);
      if (wrapInAction && random.nextInt(3) == 0) {
        sb.append(' ');
      }
    }
    if (wrapInAction) {
      sb.append("}}");
    }
    return sb.toString();
  }

  private static String randomChars(Random random) {
    String alphabet = "{}-. $()|\"`'\\/*:=,%aeinPodNm01x\n\té";
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(24);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String javaLiteral(String s) {
    return GoFmt.quote(s, true);
  }
}
