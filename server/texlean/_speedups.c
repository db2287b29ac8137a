/* texlean._speedups: the prefilter's passes over a text, in one C loop.
 *
 * scan(text, at_letter) does what texlean.analysis.prefilter.scan_python does
 * with str and re (the reference this must agree with: tests/unit/test_speedups.py
 * compares the two on generated texts and on every chunk of the test documents):
 *
 *   - decline a text with a control character other than tab and newline (the
 *     caller has made \r\n one \n already), with ^^, ending in a backslash, or
 *     holding "texlean" in any ASCII case (a suppression comment may be there);
 *   - read it as the lexer does with LaTeX's catcodes: \ + letters (a-z, A-Z, and @
 *     when at_letter) is a control word; \ + ( ) [ ] a math delimiter; \ + newline
 *     leaves the newline; \ + any other character an escape that hides it; % hides
 *     the rest of its line;
 *   - \begin and \end must be followed by [ \t]* (\n [ \t]*)? {name} with 1 to 80
 *     characters that are none of {}\$&#^_~% nor control characters, and nest;
 *   - braces pair up; math delimiters ($$, $, \( \), \[ \]) pair up flat, each
 *     pair with its braces balanced inside and no blank line inside.
 *
 * Returns None when the text is not clean by these rules, else the list of the
 * names of the environments begun (stripped as str.strip does), for the caller to
 * check against what the document defined.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MAX_ENV_NAME 80

enum { OUT = 0, IN_DOLLAR, IN_DISPLAY, IN_PAREN, IN_BRACKET };

/* What an ASCII character is to the scan; 0: nothing (a non-blank character). */
enum {
    ORDINARY = 0, NEWLINE, BLANK, PERCENT, LBRACE, RBRACE, DOLLAR, BACKSLASH,
    CARET, CONTROL, LETTER_T,
};
static unsigned char CLASS[128];

static void init_classes(void) {
    for (int c = 0; c < 0x20; c++) CLASS[c] = CONTROL;
    CLASS[0x7f] = CONTROL;
    CLASS['\n'] = NEWLINE;
    CLASS[' '] = BLANK;
    CLASS['\t'] = BLANK;
    CLASS['%'] = PERCENT;
    CLASS['{'] = LBRACE;
    CLASS['}'] = RBRACE;
    CLASS['$'] = DOLLAR;
    CLASS['\\'] = BACKSLASH;
    CLASS['^'] = CARET;
    CLASS['t'] = LETTER_T;
    CLASS['T'] = LETTER_T;
}

#define AT(i) (kind == PyUnicode_1BYTE_KIND ? (Py_UCS4)((const Py_UCS1 *)data)[i] \
               : kind == PyUnicode_2BYTE_KIND ? (Py_UCS4)((const Py_UCS2 *)data)[i] \
               : ((const Py_UCS4 *)data)[i])
#define CLS(c) ((c) < 128 ? CLASS[c] : ORDINARY)

static int is_letter(Py_UCS4 c, int at) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (at && c == '@');
}

static int env_char(Py_UCS4 c) {
    if (c < 0x20 || c == 0x7f) return 0;
    switch (c) {
    case '{': case '}': case '\\': case '$': case '&': case '#':
    case '^': case '_': case '~': case '%':
        return 0;
    }
    return 1;
}

static Py_UCS4 lower(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* Whether "texlean" (any ASCII case: a suppression comment may be there) starts at i. */
static inline __attribute__((always_inline)) int
texlean_at(const void *data, const int kind, Py_ssize_t i, Py_ssize_t n) {
    static const char word[] = "texlean";
    if (i + 7 > n) return 0;
    for (Py_ssize_t k = 0; k < 7; k++)
        if (lower(AT(i + k)) != (Py_UCS4)word[k]) return 0;
    return 1;
}

typedef struct {
    Py_ssize_t *items;
    Py_ssize_t len, cap;
} Stack;

static int push(Stack *s, Py_ssize_t v) {
    if (s->len == s->cap) {
        Py_ssize_t cap = s->cap ? 2 * s->cap : 16;
        Py_ssize_t *items = PyMem_Realloc(s->items, cap * sizeof(Py_ssize_t));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        s->items = items;
        s->cap = cap;
    }
    s->items[s->len++] = v;
    return 0;
}

/* The names of environments \begin at b and \end at e (offsets of their names)
   agree once stripped, and are not empty: 1; they do not: 0; an error: -1.
   The stripped name is appended to begun. */
static int same_environment(PyObject *text, Py_ssize_t b0, Py_ssize_t b1, Py_ssize_t e0,
                            Py_ssize_t e1, PyObject *begun) {
    int result = -1;
    PyObject *opened = PyUnicode_Substring(text, b0, b1);
    PyObject *closed = PyUnicode_Substring(text, e0, e1);
    PyObject *o = opened ? PyObject_CallMethod(opened, "strip", NULL) : NULL;
    PyObject *e = closed ? PyObject_CallMethod(closed, "strip", NULL) : NULL;
    if (o && e) {
        result = PyUnicode_GET_LENGTH(o) > 0 && PyUnicode_Compare(o, e) == 0;
        if (PyErr_Occurred() || (result && PyList_Append(begun, o) < 0)) result = -1;
    }
    Py_XDECREF(opened);
    Py_XDECREF(closed);
    Py_XDECREF(o);
    Py_XDECREF(e);
    return result;
}

/* 1: clean, 0: not, -1: an error (set).  kind is a constant in each caller below,
   so the compiler makes one loop per string width. */
static inline __attribute__((always_inline)) int
scan_kind(PyObject *text, const void *data, const int kind, Py_ssize_t n, int at,
          PyObject *begun, Stack *envs) {
    Py_ssize_t depth = 0, math_depth = 0;
    int math = OUT, seen_newline = 0, blank = 0;
    Py_ssize_t i = 0;
    if (n > 0 && AT(n - 1) == '\\') return 0;
    while (i < n) {
        Py_UCS4 c = AT(i);
        switch (CLS(c)) {
        case ORDINARY:
            blank = 0;
            i++;
            continue;
        case LETTER_T:
            blank = 0;
            if (texlean_at(data, kind, i, n)) return 0;
            i++;
            continue;
        case BLANK:
            i++;
            continue;
        case NEWLINE:
            if (math != OUT) {
                if (seen_newline && blank) return 0;
                seen_newline = 1;
            }
            blank = 1;
            i++;
            continue;
        case CONTROL:
            return 0;
        case CARET:
            if (i + 1 < n && AT(i + 1) == '^') return 0;
            blank = 0;
            i++;
            continue;
        case PERCENT:
            /* the comment is hidden, but ^^, control characters and "texlean" count */
            blank = 0;
            while (i < n) {
                Py_UCS4 d = AT(i);
                if (d == '\n') break;
                if (d < 128) {
                    int k = CLASS[d];
                    if (k == CONTROL) return 0;
                    if (k == CARET && i + 1 < n && AT(i + 1) == '^') return 0;
                    if (k == LETTER_T && texlean_at(data, kind, i, n)) return 0;
                }
                i++;
            }
            continue;
        case LBRACE:
            blank = 0;
            depth++;
            i++;
            continue;
        case RBRACE:
            blank = 0;
            if (depth == 0 || (math != OUT && depth == math_depth)) return 0;
            depth--;
            i++;
            continue;
        default:
            break; /* $ and \ */
        }
        blank = 0;
        int token, closes = 0;
        Py_ssize_t next = i + 1;
        if (c == '$') {
            token = IN_DOLLAR;
            if (i + 1 < n && AT(i + 1) == '$') {
                token = IN_DISPLAY;
                next = i + 2;
            }
            closes = math == token;
        } else { /* a backslash, not the last character */
            Py_UCS4 d = AT(i + 1);
            if (d == '(' || d == ')') {
                token = IN_PAREN;
                closes = d == ')';
                next = i + 2;
            } else if (d == '[' || d == ']') {
                token = IN_BRACKET;
                closes = d == ']';
                next = i + 2;
            } else if (d == '\n') {
                i++; /* the line still ends */
                continue;
            } else if (!is_letter(d, at)) {
                /* an escape: it hides d, but a control character or ^^ still counts */
                if (d < 128 && CLASS[d] == CONTROL) return 0;
                if (d == '^' && i + 2 < n && AT(i + 2) == '^') return 0;
                i += 2;
                continue;
            } else {
                Py_ssize_t j = i + 1;
                while (j < n && is_letter(AT(j), at)) j++;
                Py_ssize_t len = j - i - 1;
                int is_begin = len == 5 && AT(i + 1) == 'b' && AT(i + 2) == 'e' &&
                               AT(i + 3) == 'g' && AT(i + 4) == 'i' && AT(i + 5) == 'n';
                int is_end = len == 3 && AT(i + 1) == 'e' && AT(i + 2) == 'n' && AT(i + 3) == 'd';
                if (!is_begin && !is_end) {
                    /* "texlean" may start inside a control word's name */
                    for (Py_ssize_t k = i + 1; k < j; k++)
                        if (texlean_at(data, kind, k, n)) return 0;
                    i = j;
                    continue;
                }
                i = j;
                /* [ \t]* (\n [ \t]*)? {name} */
                while (i < n && (AT(i) == ' ' || AT(i) == '\t')) i++;
                if (i < n && AT(i) == '\n') {
                    i++;
                    while (i < n && (AT(i) == ' ' || AT(i) == '\t')) i++;
                }
                if (i >= n || AT(i) != '{') return 0;
                Py_ssize_t start = ++i;
                while (i < n && i - start <= MAX_ENV_NAME && env_char(AT(i))) i++;
                if (i >= n || i == start || i - start > MAX_ENV_NAME || AT(i) != '}') return 0;
                Py_ssize_t end = i++;
                /* the name may hold "texlean" too */
                for (Py_ssize_t k = start; k < end; k++)
                    if (texlean_at(data, kind, k, n)) return 0;
                if (is_begin) {
                    if (push(envs, start) < 0 || push(envs, end) < 0) return -1;
                } else {
                    if (envs->len == 0) return 0;
                    Py_ssize_t b1 = envs->items[--envs->len];
                    Py_ssize_t b0 = envs->items[--envs->len];
                    int same = same_environment(text, b0, b1, start, end, begun);
                    if (same <= 0) return same;
                }
                continue;
            }
        }
        /* a math delimiter */
        if (math == OUT) {
            if (closes && token != IN_DOLLAR && token != IN_DISPLAY) return 0;
            math = token;
            math_depth = depth;
            seen_newline = 0;
        } else if (token == math && (closes || token == IN_DOLLAR || token == IN_DISPLAY)) {
            if (depth != math_depth) return 0;
            math = OUT;
        } else {
            return 0;
        }
        i = next;
    }
    return depth == 0 && math == OUT && envs->len == 0;
}

static int scan1(PyObject *t, const void *d, Py_ssize_t n, int at, PyObject *b, Stack *s) {
    return scan_kind(t, d, PyUnicode_1BYTE_KIND, n, at, b, s);
}
static int scan2(PyObject *t, const void *d, Py_ssize_t n, int at, PyObject *b, Stack *s) {
    return scan_kind(t, d, PyUnicode_2BYTE_KIND, n, at, b, s);
}
static int scan4(PyObject *t, const void *d, Py_ssize_t n, int at, PyObject *b, Stack *s) {
    return scan_kind(t, d, PyUnicode_4BYTE_KIND, n, at, b, s);
}

static PyObject *scan(PyObject *self, PyObject *args) {
    PyObject *text;
    int at;
    if (!PyArg_ParseTuple(args, "Up", &text, &at)) return NULL;
    PyObject *begun = PyList_New(0);
    if (begun == NULL) return NULL;
    Stack envs = {NULL, 0, 0}; /* start and end of the name of each open \begin */
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    int clean = kind == PyUnicode_1BYTE_KIND   ? scan1(text, data, n, at, begun, &envs)
                : kind == PyUnicode_2BYTE_KIND ? scan2(text, data, n, at, begun, &envs)
                                               : scan4(text, data, n, at, begun, &envs);
    PyMem_Free(envs.items);
    if (clean == 1) return begun;
    Py_DECREF(begun);
    if (clean < 0) return NULL;
    Py_RETURN_NONE;
}

/* -- chunk boundaries (texlean.document.chunks) ------------------------------------ */

#define RD(i) PyUnicode_READ(kind, data, (i))

static int line_is_blank(PyObject *line) {
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t len = PyUnicode_GET_LENGTH(line);
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = RD(i);
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return 0;
    }
    return 1;
}

static int word_at(int kind, const void *data, Py_ssize_t at, Py_ssize_t len, const char *w) {
    for (Py_ssize_t k = 0; w[k]; k++)
        if (at + k >= len || RD(at + k) != (Py_UCS4)w[k]) return 0;
    return 1;
}

/* chunks._env_delta: \begin{name} and \end{name} outside the comment, by
   \\(begin|end)[ \t]*\{([^{}\s]*)\} matched left to right, "document" not counted */
static int env_delta(PyObject *line, Py_ssize_t *delta) {
    int kind = PyUnicode_KIND(line);
    const void *data = PyUnicode_DATA(line);
    Py_ssize_t len = PyUnicode_GET_LENGTH(line);
    Py_ssize_t cut = PyUnicode_FindChar(line, '%', 0, len, 1);
    while (cut > 0 && RD(cut - 1) == '\\') cut = PyUnicode_FindChar(line, '%', cut + 1, len, 1);
    if (cut == -2) return -1;
    if (cut >= 0) len = cut;
    Py_ssize_t p = 0;
    for (;;) {
        p = PyUnicode_FindChar(line, '\\', p, len, 1);
        if (p == -2) return -1;
        if (p < 0) break;
        int sign = 0;
        Py_ssize_t q = p + 1;
        if (word_at(kind, data, q, len, "begin")) {
            sign = 1;
            q += 5;
        } else if (word_at(kind, data, q, len, "end")) {
            sign = -1;
            q += 3;
        }
        if (sign) {
            while (q < len && (RD(q) == ' ' || RD(q) == '\t')) q++;
            if (q < len && RD(q) == '{') {
                Py_ssize_t r = q + 1;
                while (r < len) {
                    Py_UCS4 c = RD(r);
                    if (c == '{' || c == '}' || Py_UNICODE_ISSPACE(c)) break;
                    r++;
                }
                if (r < len && RD(r) == '}') {
                    if (!(r - q - 1 == 8 && word_at(kind, data, q + 1, r, "document"))) *delta += sign;
                    p = r + 1;
                    continue;
                }
            }
        }
        p++;
    }
    return 0;
}

/* chunks.chunk_end: where the chunk that starts at `start` ends (exclusive); -1: error */
static Py_ssize_t chunk_end(PyObject **lines, Py_ssize_t n, Py_ssize_t start,
                            Py_ssize_t max_lines, Py_ssize_t hard_max) {
    Py_ssize_t depth = 0, i = start;
    int seen_content = 0;
    while (i < n) {
        PyObject *line = lines[i];
        if (!PyUnicode_Check(line)) {
            PyErr_SetString(PyExc_TypeError, "lines must be str");
            return -1;
        }
        if (line_is_blank(line)) {
            if (seen_content && (depth <= 0 || i - start >= max_lines)) {
                i++;
                while (i < n && line_is_blank(lines[i])) i++;
                return i;
            }
        } else {
            seen_content = 1;
            Py_ssize_t delta = 0;
            if (env_delta(line, &delta) < 0) return -1;
            depth = depth + delta > 0 ? depth + delta : 0;
        }
        i++;
        if (i - start >= hard_max) {
            while (i < n && line_is_blank(lines[i])) i++;
            return i;
        }
    }
    return n;
}

static PyObject *chunk_starts(PyObject *self, PyObject *args) {
    PyObject *seq;
    Py_ssize_t start, stop, max_lines, hard_max;
    if (!PyArg_ParseTuple(args, "Onnnn", &seq, &start, &stop, &max_lines, &hard_max)) return NULL;
    PyObject *fast = PySequence_Fast(seq, "lines must be a sequence");
    if (fast == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject **lines = PySequence_Fast_ITEMS(fast);
    PyObject *out = PyList_New(0);
    Py_ssize_t i = start < 0 ? 0 : start;
    while (out != NULL && i < stop && i < n) {
        PyObject *at = PyLong_FromSsize_t(i);
        if (at == NULL || PyList_Append(out, at) < 0) {
            Py_XDECREF(at);
            Py_CLEAR(out);
            break;
        }
        Py_DECREF(at);
        Py_ssize_t next = chunk_end(lines, n, i, max_lines, hard_max);
        if (next < 0) Py_CLEAR(out);
        i = next;
    }
    Py_DECREF(fast);
    return out;
}

static PyMethodDef methods[] = {
    {"chunk_starts", chunk_starts, METH_VARARGS,
     "chunk_starts(lines, start, stop, max_lines, hard_max_lines) -> list of start lines\n"
     "(what texlean.document.chunks.chunk_starts computes)."},
    {"scan", scan, METH_VARARGS,
     "scan(text, at_letter) -> list of the environments begun, or None when the text\n"
     "is not clean by the prefilter's rules (see texlean.analysis.prefilter)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "texlean._speedups",
    "The prefilter's passes over a text in one C loop (optional: the pure-Python\n"
    "reference in texlean.analysis.prefilter is used when this is not built).",
    -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    init_classes();
    return PyModule_Create(&module);
}
