"""A small C++ lexer for the interface strings: finds tr(...) calls, N_("...") marks and string
literals in app/*.cpp and app/*.h, with their lines, decoded as the compiler would.

Shared by app/i18n/convert_tr.py (the one-shot move of inline Chinese into assets/i18n/zh.json)
and tests/i18n/check_catalogs.py (every string the code translates is in every catalog).
Python 3 standard library only.
"""
import re

# Tokens: (kind, text, start, end). Kinds: 'str' (a string literal, prefix included), 'char',
# 'ident', 'num', 'punct', 'pp' (a preprocessor line), 'comment', 'space'.
_RAW_PREFIX = re.compile(r'(?:u8|u|U|L)?R"([^()\\ ]{0,16})\(')
_STR_PREFIX = re.compile(r'(?:u8|u|U|L)?"')
_CHAR_PREFIX = re.compile(r"(?:u8|u|U|L)?'")
_IDENT = re.compile(r'[A-Za-z_]\w*')
_NUM = re.compile(r"\.?\d(?:[\w.']|[eEpP][+-])*")
_PUNCT = re.compile(r'->|::|\.\.\.|[-+*/%&|^!=<>]=?|&&|\|\||<<|>>|[(){}\[\];,.?:~#]')


class LexError(Exception):
    pass


def tokenize(src):
    tokens = []
    i, n = 0, len(src)
    at_line_start = True
    while i < n:
        c = src[i]
        if c in ' \t\r\n\f\v':
            j = i
            while j < n and src[j] in ' \t\r\n\f\v':
                j += 1
            if '\n' in src[i:j]:
                at_line_start = True
            tokens.append(('space', src[i:j], i, j))
            i = j
            continue
        if src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            tokens.append(('comment', src[i:j], i, j))
            i = j
            continue
        if src.startswith('/*', i):
            j = src.find('*/', i + 2)
            if j < 0:
                raise LexError(f'unterminated comment at offset {i}')
            tokens.append(('comment', src[i:j + 2], i, j + 2))
            i = j + 2
            continue
        if c == '#' and at_line_start:
            # A preprocessor line (with its continuations); #include <...> must not be lexed.
            j = i
            while True:
                k = src.find('\n', j)
                if k < 0:
                    j = n
                    break
                if src[k - 1] == '\\':
                    j = k + 1
                    continue
                j = k
                break
            tokens.append(('pp', src[i:j], i, j))
            i = j
            continue
        at_line_start = False
        m = _RAW_PREFIX.match(src, i)
        if m:
            end = src.find(')' + m.group(1) + '"', m.end())
            if end < 0:
                raise LexError(f'unterminated raw string at offset {i}')
            j = end + len(m.group(1)) + 2
            tokens.append(('str', src[i:j], i, j))
            i = j
            continue
        m = _STR_PREFIX.match(src, i) or _CHAR_PREFIX.match(src, i)
        if m:
            quote = src[m.end() - 1]
            j = m.end()
            while j < n and src[j] != quote:
                if src[j] == '\\':
                    j += 1
                elif src[j] == '\n':
                    raise LexError(f'newline in a literal at offset {i}')
                j += 1
            if j >= n:
                raise LexError(f'unterminated literal at offset {i}')
            j += 1
            tokens.append(('str' if quote == '"' else 'char', src[i:j], i, j))
            i = j
            continue
        m = _IDENT.match(src, i)
        if m:
            tokens.append(('ident', m.group(), i, m.end()))
            i = m.end()
            continue
        m = _NUM.match(src, i)
        if m:
            tokens.append(('num', m.group(), i, m.end()))
            i = m.end()
            continue
        m = _PUNCT.match(src, i)
        if m:
            tokens.append(('punct', m.group(), i, m.end()))
            i = m.end()
            continue
        tokens.append(('punct', c, i, i + 1))
        i += 1
    return tokens


_SIMPLE_ESCAPES = {'n': b'\n', 't': b'\t', 'r': b'\r', '0': b'\0', '\\': b'\\', '"': b'"', "'": b"'",
                   '?': b'?', 'a': b'\a', 'b': b'\b', 'f': b'\f', 'v': b'\v'}


def literal_bytes(text):
    """The bytes of one narrow string literal token ("..." or u8"..." or R"(...)")."""
    m = _RAW_PREFIX.match(text)
    if m:
        return text[m.end():len(text) - len(m.group(1)) - 2].encode('utf-8')
    if text.startswith(('L', 'u"', 'U')):
        raise LexError(f'wide literal {text[:20]}… is not a UI string')
    body = text[text.index('"') + 1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode('utf-8')
            i += 1
            continue
        e = body[i + 1]
        if e == 'x':
            m = re.match(r'[0-9A-Fa-f]+', body[i + 2:])
            out.append(int(m.group(), 16) & 0xFF)
            i += 2 + len(m.group())
        elif e in '01234567':
            m = re.match(r'[0-7]{1,3}', body[i + 1:])
            out.append(int(m.group(), 8) & 0xFF)
            i += 1 + len(m.group())
        elif e in 'uU':
            width = 4 if e == 'u' else 8
            out += chr(int(body[i + 2:i + 2 + width], 16)).encode('utf-8')
            i += 2 + width
        elif e in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[e]
            i += 2
        else:
            raise LexError(f'unknown escape \\{e} in {text[:40]}')
    return bytes(out)


def literal_value(tokens):
    """The text of adjacent string literal tokens, concatenated as the compiler does."""
    return b''.join(literal_bytes(t[1]) for t in tokens).decode('utf-8')


class Call:
    """One call `name(args)`: args are lists of significant tokens, spans are (start, end) offsets."""

    def __init__(self, name, start, open_paren, close_paren, args, arg_spans):
        self.name, self.start, self.open_paren, self.close_paren = name, start, open_paren, close_paren
        self.args, self.arg_spans = args, arg_spans

    def literal(self, k):
        """The decoded value of argument k when it is only string literals, else None."""
        if k >= len(self.args) or not self.args[k] or any(t[0] != 'str' for t in self.args[k]):
            return None
        return literal_value(self.args[k])


def significant(tokens):
    return [t for t in tokens if t[0] not in ('space', 'comment', 'pp')]


def find_calls(tokens, names):
    """Every call of a free function named in `names` (not a member: no . -> :: before it, and
    not a declaration: no type name before it)."""
    sig = significant(tokens)
    calls = []
    for k, t in enumerate(sig):
        if t[0] != 'ident' or t[1] not in names or k + 1 >= len(sig) or sig[k + 1][1] != '(':
            continue
        prev = sig[k - 1] if k else None
        if prev and (prev[1] in ('.', '->', '::', '*', '&') or prev[0] == 'ident' and prev[1] not in ('return', 'case')):
            continue  # a member, a qualified name or a declaration such as `const char* tr(`
        depth, args, current, spans, arg_start = 0, [], [], [], sig[k + 1][3]
        j = k + 2
        while j < len(sig):
            u = sig[j]
            if u[1] in ('(', '[', '{'):
                depth += 1
            elif u[1] in (')', ']', '}'):
                if depth == 0:
                    break
                depth -= 1
            if u[1] == ',' and depth == 0:
                args.append(current)
                spans.append((arg_start, u[2]))
                current, arg_start = [], u[3]
            else:
                current.append(u)
            j += 1
        if j >= len(sig):
            raise LexError(f'unbalanced call of {t[1]} at offset {t[2]}')
        args.append(current)
        spans.append((arg_start, sig[j][2]))
        calls.append(Call(t[1], t[2], sig[k + 1][2], sig[j][2], args, spans))
    return calls


def bilingual_rows(tokens):
    """Table rows {..., "English", "中文"} (brace lists of no nested braces whose last two elements
    are single literals, the last one Chinese): (the '{' token, the English token, the Chinese one)."""
    sig = significant(tokens)
    rows = []
    for k, t in enumerate(sig):
        if t[1] != '{':
            continue
        j = k + 1
        while j < len(sig) and sig[j][1] not in ('{', '}', ';'):
            j += 1
        if j >= len(sig) or sig[j][1] != '}':
            continue
        row = sig[k + 1:j]
        if len(row) < 5 or row[-1][0] != 'str' or row[-2][1] != ',' or row[-3][0] != 'str' or row[-4][1] != ',':
            continue
        en, zh = literal_value([row[-3]]), literal_value([row[-1]])
        if CJK.search(zh) and en != zh:
            rows.append((t, row[-3], row[-1]))
    return rows


def line_of(src, offset):
    return src.count('\n', 0, offset) + 1


CJK = re.compile(r'[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF\u3000-\u303F]')
