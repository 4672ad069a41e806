package org.spireregistrar.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The patch formats and the selector grammar, case by case. */
class PatchesAndSelectorsTest {
  private static JsonNode json(String s) throws IOException {
    return Json.MAPPER.readTree(s.replace('\'', '"'));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          merges nested objects    | {'a':{'b':1,'c':2}}   | {'a':{'c':3,'d':4}}  | {'a':{'b':1,'c':3,'d':4}}
          null removes a key       | {'a':1,'b':2}         | {'b':null}           | {'a':1}
          lists are replaced       | {'l':[1,2,3]}         | {'l':[4]}            | {'l':[4]}
          scalar replaces object   | {'a':{'b':1}}         | {'a':5}              | {'a':5}
          """)
  void mergePatchFollowsRfc7386(String name, String target, String patch, String expected)
      throws IOException {
    assertThat(Patches.mergePatch(json(target), json(patch))).isEqualTo(json(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          drops ordering directives       | {'l':[1,2]}          | {'$setElementOrder/l':[{'x':1}],'a':1} | {'l':[1,2],'a':1}
          $patch delete removes a map     | {'m':{'a':1},'k':1}  | {'m':{'$patch':'delete'}}              | {'k':1}
          $patch replace replaces a map   | {'m':{'a':1,'b':2}}  | {'m':{'$patch':'replace','c':3}}       | {'m':{'c':3}}
          deletes from a primitive list   | {'f':['a','b','c']}  | {'$deleteFromPrimitiveList/f':['b']}   | {'f':['a','c']}
          """)
  void strategicMergePatchHonoursItsDirectives(
      String name, String target, String patch, String expected) throws IOException {
    assertThat(Patches.strategicMergePatch(json(target), json(patch))).isEqualTo(json(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          add to object           | {'a':1}          | [{'op':'add','path':'/b','value':2}]                | {'a':1,'b':2}
          add appends with dash   | {'l':[1]}        | [{'op':'add','path':'/l/-','value':2}]              | {'l':[1,2]}
          add inserts at index    | {'l':[1,3]}      | [{'op':'add','path':'/l/1','value':2}]              | {'l':[1,2,3]}
          remove from list        | {'l':[1,2,3]}    | [{'op':'remove','path':'/l/0'}]                     | {'l':[2,3]}
          replace escaped key     | {'a/b':1}        | [{'op':'replace','path':'/a~1b','value':2}]         | {'a/b':2}
          move                    | {'a':1}          | [{'op':'move','from':'/a','path':'/b'}]             | {'b':1}
          copy                    | {'a':{'x':1}}    | [{'op':'copy','from':'/a','path':'/b'}]             | {'a':{'x':1},'b':{'x':1}}
          test then replace       | {'a':1}          | [{'op':'test','path':'/a','value':1},{'op':'replace','path':'/a','value':2}] | {'a':2}
          """)
  void jsonPatchFollowsRfc6902(String name, String target, String ops, String expected)
      throws IOException {
    assertThat(Patches.jsonPatch(json(target), json(ops), ResourceType.PODS, "p"))
        .isEqualTo(json(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          replace of a missing path | [{'op':'replace','path':'/nope','value':1}] | Pod "p" is invalid: json patch replace operation: doc is missing path: /nope
          failed test               | [{'op':'test','path':'/a','value':2}]       | Pod "p" is invalid: json patch test operation: testing value /a failed
          unknown operation         | [{'op':'frob','path':'/a'}]                 | Pod "p" is invalid: json patch frob operation: unexpected operation
          index out of range        | [{'op':'add','path':'/l/5','value':1}]      | Pod "p" is invalid: json patch add operation: invalid array index: 5
          """)
  void jsonPatchFailuresAreInvalid(String name, String ops, String message) throws IOException {
    JsonNode target = json("{'a':1,'l':[]}");

    assertThatThrownBy(() -> Patches.jsonPatch(target, json(ops), ResourceType.PODS, "p"))
        .isInstanceOfSatisfying(ApiStatusException.class, e -> assertThat(e.code()).isEqualTo(422))
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          v>3                 | {'v':'4'}            | true
          v>3                 | {'v':'3'}            | false
          v<3                 | {'v':'2'}            | true
          a=                  | {'a':''}             | true
          a=                  | {}                   | false
          a!=x                | {}                   | true
          a notin (x,y)       | {}                   | true
          a in (x,y)          | {}                   | false
          !a                  | {'b':'1'}            | true
          a,b                 | {'a':'1'}            | false
          ''                  | {}                   | true
          """)
  void labelSelectorMatchesLikeTheApiServer(String selector, String labels, boolean matches)
      throws IOException {
    assertThat(LabelSelector.parse(selector).matches(json(labels))).isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a in (x             | found 'end of string', expected: ',', ')' or identifier
          a b                 | found 'b', expected: in, notin, =, ==, !=, gt, lt
          a,                  | found 'end of string', expected: identifier
          v>x                 | for 'Gt', 'Lt' operators, the value must be an integer: x
          =a                  | found '=', expected: identifier
          """)
  void malformedLabelSelectorsAreBadRequests(String selector, String detail) {
    assertThatThrownBy(() -> LabelSelector.parse(selector))
        .isInstanceOfSatisfying(ApiStatusException.class, e -> assertThat(e.code()).isEqualTo(400))
        .hasMessage("unable to parse requirement: label selector \"" + selector + "\": " + detail);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          metadata.name=a\\,b     | {'metadata':{'name':'a,b'}}   | true
          spec.nodeName!=         | {'spec':{'nodeName':'n'}}     | true
          spec.hostNetwork=true   | {'spec':{'hostNetwork':true}} | true
          """)
  void fieldSelectorsUnescapeAndCompareText(String selector, String object, boolean matches)
      throws IOException {
    assertThat(FieldSelector.parse(selector, ResourceType.PODS).matches(json(object)))
        .isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          metadata.namespace=x  | field label not supported: metadata.namespace
          spec.nodeName         | invalid field selector "spec.nodeName": term "spec.nodeName" has no operator
          """)
  void fieldSelectorsRejectWhatTheTypeDoesNotSupport(String selector, String message) {
    assertThatThrownBy(() -> FieldSelector.parse(selector, ResourceType.NODES))
        .isInstanceOf(ApiStatusException.class)
        .hasMessage(message);
  }
}
