/*
 * expr_lex.c - tokenizer for the expression language.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "geom/expr.h"

void lexer_init(lexer *lx, const char *src)
{
    lx->src = src;
    lx->pos = 0;
    memset(&lx->tok, 0, sizeof lx->tok);
    lx->tok.kind = TOK_END;
}

static const token *emit(lexer *lx, tok_kind kind, size_t len)
{
    lx->tok.kind = kind;
    lx->pos += len;
    return &lx->tok;
}

/* Advance to the next token; the returned pointer stays owned by lx. */
const token *lexer_next(lexer *lx)
{
    const char *s = lx->src;
    token *t = &lx->tok;
    unsigned char c;

    while (isspace((unsigned char)s[lx->pos]))
        lx->pos++;
    t->pos = lx->pos;
    t->num = 0.0;
    t->op = 0;
    t->ident[0] = '\0';
    c = (unsigned char)s[lx->pos];

    if (c == '\0')
        return emit(lx, TOK_END, 0);

    if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[lx->pos + 1]))) {
        char *end;
        t->num = strtod(s + lx->pos, &end);
        return emit(lx, TOK_NUM, (size_t)(end - (s + lx->pos)));
    }

    if (isalpha(c) || c == '_') {
        size_t len = 0;
        while (isalnum((unsigned char)s[lx->pos + len]) || s[lx->pos + len] == '_')
            len++;
        if (len >= EXPR_IDENT_MAX)
            return emit(lx, TOK_ERROR, len);
        memcpy(t->ident, s + lx->pos, len);
        t->ident[len] = '\0';
        return emit(lx, TOK_IDENT, len);
    }

    switch (c) {
    case '+': case '-': case '*': case '/': case '%': case '^': case '=':
        t->op = (char)c;
        return emit(lx, TOK_OP, 1);
    case '(':
        return emit(lx, TOK_LPAREN, 1);
    case ')':
        return emit(lx, TOK_RPAREN, 1);
    case ',':
        return emit(lx, TOK_COMMA, 1);
    default:
        t->op = (char)c;
        return emit(lx, TOK_ERROR, 1);
    }
}

const char *tok_kind_name(tok_kind k)
{
    switch (k) {
    case TOK_END:    return "end of input";
    case TOK_NUM:    return "number";
    case TOK_IDENT:  return "identifier";
    case TOK_OP:     return "operator";
    case TOK_LPAREN: return "'('";
    case TOK_RPAREN: return "')'";
    case TOK_COMMA:  return "','";
    case TOK_ERROR:  return "invalid character";
    }
    return "?";
}
