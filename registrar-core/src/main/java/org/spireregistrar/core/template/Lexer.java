package org.spireregistrar.core.template;

import java.util.ArrayDeque;
import java.util.Map;
import org.spireregistrar.core.GoQuote;

/**
 * Go's {@code text/template/parse} lexer, state for state: the same tokens, trim-marker rules and
 * error texts, so that parse errors read like Go's. Tokens are produced on demand; after an error
 * token only EOF follows.
 */
final class Lexer {

  enum Kind {
    ERROR,
    EOF,
    TEXT,
    LEFT_DELIM,
    RIGHT_DELIM,
    SPACE,
    PIPE,
    LEFT_PAREN,
    RIGHT_PAREN,
    STRING,
    RAW_STRING,
    CHAR_CONSTANT,
    NUMBER,
    COMPLEX,
    BOOL,
    FIELD,
    IDENTIFIER,
    VARIABLE,
    DECLARE,
    ASSIGN,
    CHAR,
    // Keywords (Go prints them as <word>); DOT is one of them in Go too.
    DOT,
    BLOCK,
    BREAK,
    CONTINUE,
    DEFINE,
    ELSE,
    END,
    IF,
    NIL,
    RANGE,
    TEMPLATE,
    WITH;

    boolean isKeyword() {
      return ordinal() >= DOT.ordinal();
    }
  }

  /** One lexical item; {@code pos} is the char offset in the input, {@code line} 1-based. */
  record Token(Kind kind, String val, int pos, int line) {
    /** Go's {@code item.String()}: how the parser names the token in errors. */
    String describe() {
      if (kind == Kind.EOF) {
        return "EOF";
      }
      if (kind == Kind.ERROR) {
        return val;
      }
      if (kind.isKeyword()) {
        return "<" + val + ">";
      }
      if (val.codePointCount(0, val.length()) > 10) {
        return GoQuote.quote(val.substring(0, val.offsetByCodePoints(0, 10))) + "...";
      }
      return GoQuote.quote(val);
    }
  }

  private static final String LEFT = "{{";
  private static final String RIGHT = "}}";
  private static final String LEFT_COMMENT = "/*";
  private static final String RIGHT_COMMENT = "*/";
  private static final int TRIM_MARKER_LEN = 2; // marker plus the space before or after it

  private static final Map<String, Kind> KEYWORDS =
      Map.ofEntries(
          Map.entry(".", Kind.DOT),
          Map.entry("block", Kind.BLOCK),
          Map.entry("break", Kind.BREAK),
          Map.entry("continue", Kind.CONTINUE),
          Map.entry("define", Kind.DEFINE),
          Map.entry("else", Kind.ELSE),
          Map.entry("end", Kind.END),
          Map.entry("if", Kind.IF),
          Map.entry("nil", Kind.NIL),
          Map.entry("range", Kind.RANGE),
          Map.entry("template", Kind.TEMPLATE),
          Map.entry("with", Kind.WITH));

  private enum State {
    TEXT,
    LEFT_DELIM,
    COMMENT,
    RIGHT_DELIM,
    INSIDE_ACTION,
    DONE
  }

  private static final int EOF_CHAR = -1;

  private final String input;
  private final ArrayDeque<Token> pending = new ArrayDeque<>();
  private State state = State.TEXT;
  private int pos;
  private int start;
  private int line = 1;
  private int startLine = 1;
  private int parenDepth;

  Lexer(String input) {
    this.input = input;
  }

  /** The next token; EOF forever once the input (or an error) has been reached. */
  Token next() {
    while (pending.isEmpty()) {
      if (state == State.DONE) {
        return new Token(Kind.EOF, "", pos, line);
      }
      step();
    }
    return pending.poll();
  }

  private void step() {
    switch (state) {
      case TEXT -> lexText();
      case LEFT_DELIM -> lexLeftDelim();
      case COMMENT -> lexComment();
      case RIGHT_DELIM -> lexRightDelim();
      case INSIDE_ACTION -> lexInsideAction();
      case DONE -> {}
    }
  }

  // ---- primitive helpers (Go's next/backup/peek work on runes; we work on chars, which is the
  // same for every character the lexer branches on) ----

  private int nextChar() {
    if (pos >= input.length()) {
      pos = input.length() + 1; // so that backup() restores input.length()
      return EOF_CHAR;
    }
    char c = input.charAt(pos++);
    if (c == '\n') {
      line++;
    }
    return c;
  }

  private void backup() {
    pos--;
    if (pos < input.length() && input.charAt(pos) == '\n') {
      line--;
    }
  }

  private int peekChar() {
    return pos < input.length() ? input.charAt(pos) : EOF_CHAR;
  }

  private boolean accept(String valid) {
    int c = nextChar();
    if (c != EOF_CHAR && valid.indexOf(c) >= 0) {
      return true;
    }
    backup();
    return false;
  }

  private void acceptRun(String valid) {
    int c;
    do {
      c = nextChar();
    } while (c != EOF_CHAR && valid.indexOf(c) >= 0);
    backup();
  }

  private void emit(Kind kind) {
    pending.add(new Token(kind, input.substring(start, pos), start, startLine));
    start = pos;
    startLine = line;
  }

  private void ignore() {
    line += count(input, start, pos);
    start = pos;
    startLine = line;
  }

  private void errorf(String message) {
    pending.add(new Token(Kind.ERROR, message, start, startLine));
    state = State.DONE;
  }

  private static int count(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  static boolean isSpace(int c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  static boolean isAlphaNumeric(int c) {
    return c == '_' || (c != EOF_CHAR && (Character.isLetter(c) || Character.isDigit(c)));
  }

  private boolean hasLeftTrimMarker(int at) {
    return at + 1 < input.length() && input.charAt(at) == '-' && isSpace(input.charAt(at + 1));
  }

  private boolean hasRightTrimMarker(int at) {
    return at + 1 < input.length() && isSpace(input.charAt(at)) && input.charAt(at + 1) == '-';
  }

  /** [atDelimiter, withTrimMarker]. */
  private boolean[] atRightDelim() {
    if (hasRightTrimMarker(pos) && input.startsWith(RIGHT, pos + TRIM_MARKER_LEN)) {
      return new boolean[] {true, true};
    }
    if (input.startsWith(RIGHT, pos)) {
      return new boolean[] {true, false};
    }
    return new boolean[] {false, false};
  }

  private int rightTrimLength(int from, int to) {
    int i = to;
    while (i > from && isSpace(input.charAt(i - 1))) {
      i--;
    }
    return to - i;
  }

  private int leftTrimLength(int from) {
    int i = from;
    while (i < input.length() && isSpace(input.charAt(i))) {
      i++;
    }
    return i - from;
  }

  // ---- states ----

  private void lexText() {
    int x = input.indexOf(LEFT, pos);
    if (x >= 0) {
      if (x > pos) {
        pos = x;
        int trimLength = 0;
        if (hasLeftTrimMarker(pos + LEFT.length())) {
          trimLength = rightTrimLength(start, pos);
        }
        pos -= trimLength;
        line += count(input, start, pos);
        Token text = new Token(Kind.TEXT, input.substring(start, pos), start, startLine);
        start = pos;
        startLine = line;
        pos += trimLength;
        ignore();
        if (!text.val().isEmpty()) {
          pending.add(text);
        }
      }
      state = State.LEFT_DELIM;
      return;
    }
    pos = input.length();
    if (pos > start) {
      line += count(input, start, pos);
      emit(Kind.TEXT);
    }
    emit(Kind.EOF);
    state = State.DONE;
  }

  private void lexLeftDelim() {
    pos += LEFT.length();
    boolean trimSpace = hasLeftTrimMarker(pos);
    int afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
    if (input.startsWith(LEFT_COMMENT, pos + afterMarker)) {
      pos += afterMarker;
      ignore();
      state = State.COMMENT;
      return;
    }
    Token delim = new Token(Kind.LEFT_DELIM, input.substring(start, pos), start, startLine);
    pos += afterMarker;
    ignore();
    parenDepth = 0;
    pending.add(delim);
    state = State.INSIDE_ACTION;
  }

  private void lexComment() {
    pos += LEFT_COMMENT.length();
    int x = input.indexOf(RIGHT_COMMENT, pos);
    if (x < 0) {
      errorf("unclosed comment");
      return;
    }
    pos = x + RIGHT_COMMENT.length();
    boolean[] delim = atRightDelim();
    if (!delim[0]) {
      errorf("comment ends before closing delimiter");
      return;
    }
    if (delim[1]) {
      pos += TRIM_MARKER_LEN;
    }
    pos += RIGHT.length();
    if (delim[1]) {
      pos += leftTrimLength(pos);
    }
    ignore();
    state = State.TEXT;
  }

  private void lexRightDelim() {
    boolean trimSpace = atRightDelim()[1];
    if (trimSpace) {
      pos += TRIM_MARKER_LEN;
      ignore();
    }
    pos += RIGHT.length();
    Token delim = new Token(Kind.RIGHT_DELIM, input.substring(start, pos), start, startLine);
    pending.add(delim);
    if (trimSpace) {
      pos += leftTrimLength(pos);
    }
    ignore();
    state = State.TEXT;
  }

  private void lexInsideAction() {
    if (atRightDelim()[0]) {
      if (parenDepth == 0) {
        state = State.RIGHT_DELIM;
      } else {
        errorf("unclosed left paren");
      }
      return;
    }
    int r = nextChar();
    if (r == EOF_CHAR) {
      errorf("unclosed action");
    } else if (isSpace(r)) {
      backup(); // put the space back in case we have " -}}"
      lexSpace();
    } else if (r == '=') {
      emit(Kind.ASSIGN);
    } else if (r == ':') {
      if (nextChar() != '=') {
        errorf("expected :=");
      } else {
        emit(Kind.DECLARE);
      }
    } else if (r == '|') {
      emit(Kind.PIPE);
    } else if (r == '"') {
      lexQuoted('"', Kind.STRING, "unterminated quoted string");
    } else if (r == '`') {
      lexRawQuote();
    } else if (r == '$') {
      lexVariable();
    } else if (r == '\'') {
      lexQuoted('\'', Kind.CHAR_CONSTANT, "unterminated character constant");
    } else if (r == '.' && pos < input.length() && !isAsciiDigit(input.charAt(pos))) {
      lexFieldOrVariable(Kind.FIELD);
    } else if (r == '.' || r == '+' || r == '-' || isAsciiDigit(r)) {
      backup();
      lexNumber();
    } else if (isAlphaNumeric(r)) {
      backup();
      lexIdentifier();
    } else if (r == '(') {
      parenDepth++;
      emit(Kind.LEFT_PAREN);
    } else if (r == ')') {
      parenDepth--;
      if (parenDepth < 0) {
        errorf("unexpected right paren");
      } else {
        emit(Kind.RIGHT_PAREN);
      }
    } else if (r < 0x7f && r >= 0x20) {
      emit(Kind.CHAR);
    } else {
      errorf("unrecognized character in action: " + GoFmt.unicodeName(r));
    }
  }

  private static boolean isAsciiDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private void lexSpace() {
    int numSpaces = 0;
    while (isSpace(peekChar())) {
      nextChar();
      numSpaces++;
    }
    // A trim-marked closing delimiter has a minus after a space: leave that space to it.
    if (hasRightTrimMarker(pos - 1) && input.startsWith(RIGHT, pos - 1 + TRIM_MARKER_LEN)) {
      backup();
      if (numSpaces == 1) {
        state = State.RIGHT_DELIM;
        return;
      }
    }
    emit(Kind.SPACE);
  }

  private void lexIdentifier() {
    while (true) {
      int r = nextChar();
      if (isAlphaNumeric(r)) {
        continue;
      }
      backup();
      String word = input.substring(start, pos);
      if (!atTerminator()) {
        errorf("bad character " + GoFmt.unicodeName(r));
        return;
      }
      Kind keyword = KEYWORDS.get(word);
      if (keyword != null) {
        emit(keyword);
      } else if (word.equals("true") || word.equals("false")) {
        emit(Kind.BOOL);
      } else {
        emit(Kind.IDENTIFIER);
      }
      return;
    }
  }

  private void lexVariable() {
    if (atTerminator()) {
      emit(Kind.VARIABLE); // just "$"
      return;
    }
    lexFieldOrVariable(Kind.VARIABLE);
  }

  private void lexFieldOrVariable(Kind kind) {
    if (atTerminator()) {
      emit(kind == Kind.VARIABLE ? Kind.VARIABLE : Kind.DOT);
      return;
    }
    int r;
    while (true) {
      r = nextChar();
      if (!isAlphaNumeric(r)) {
        backup();
        break;
      }
    }
    if (!atTerminator()) {
      errorf("bad character " + GoFmt.unicodeName(r));
      return;
    }
    emit(kind);
  }

  private boolean atTerminator() {
    int r = peekChar();
    if (isSpace(r)) {
      return true;
    }
    switch (r) {
      case EOF_CHAR, '.', ',', '|', ':', ')', '(':
        return true;
      default:
        return input.startsWith(RIGHT, pos);
    }
  }

  /** A {@code quote}-delimited literal with backslash escapes, on one line. */
  private void lexQuoted(char quote, Kind kind, String unterminated) {
    while (true) {
      int r = nextChar();
      if (r == '\\') {
        r = nextChar();
      } else if (r == quote) {
        emit(kind);
        return;
      }
      if (r == EOF_CHAR || r == '\n') {
        errorf(unterminated);
        return;
      }
    }
  }

  private void lexRawQuote() {
    while (true) {
      int r = nextChar();
      if (r == EOF_CHAR) {
        errorf("unterminated raw quoted string");
        return;
      }
      if (r == '`') {
        emit(Kind.RAW_STRING);
        return;
      }
    }
  }

  private void lexNumber() {
    if (!scanNumber()) {
      errorf(
          "bad number syntax: "
              + GoQuote.quote(input.substring(start, Math.min(pos, input.length()))));
      return;
    }
    int sign = peekChar();
    if (sign == '+' || sign == '-') {
      // Complex: 1+2i. No spaces, must end in 'i'.
      if (!scanNumber() || input.charAt(pos - 1) != 'i') {
        errorf(
            "bad number syntax: "
                + GoQuote.quote(input.substring(start, Math.min(pos, input.length()))));
        return;
      }
      emit(Kind.COMPLEX);
      return;
    }
    emit(Kind.NUMBER);
  }

  private boolean scanNumber() {
    accept("+-");
    String digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    acceptRun(digits);
    if (accept(".")) {
      acceptRun(digits);
    }
    if (digits.length() == 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.length() == 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    accept("i");
    if (isAlphaNumeric(peekChar())) {
      nextChar();
      return false;
    }
    return true;
  }
}
