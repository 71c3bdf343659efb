/*
 * geom/expr.h - tiny arithmetic expression language with variables.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | name | name '(' args ')' | '(' expr ')'
 */
#ifndef GEOM_EXPR_H
#define GEOM_EXPR_H

#include "geom/hashmap.h"

#define EXPR_IDENT_MAX 32
#define EXPR_MAX_ARGS 4

typedef enum tok_kind {
    TOK_END,
    TOK_NUM,
    TOK_IDENT,
    TOK_OP,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_COMMA,
    TOK_ERROR
} tok_kind;

typedef struct token {
    tok_kind kind;
    double num;
    char op;
    char ident[EXPR_IDENT_MAX];
    size_t pos;
} token;

typedef struct lexer {
    const char *src;
    size_t pos;
    token tok;
} lexer;

typedef double (*expr_fn)(const double *args);

typedef struct expr_func {
    const char *name;
    int arity;
    expr_fn fn;
} expr_func;

typedef struct expr_result {
    int status;
    double value;
    size_t err_pos;
    char err[64];
} expr_result;

/* expr_lex.c */
void lexer_init(lexer *lx, const char *src);
const token *lexer_next(lexer *lx);
const char *tok_kind_name(tok_kind k);

/* expr_funcs.c */
const expr_func *expr_find_func(const char *name);
int expr_find_const(const char *name, double *out);
size_t expr_func_count(void);
const expr_func *expr_func_at(size_t i);

/* expr_eval.c */
int expr_eval(const char *src, const hmap *vars, expr_result *res);
int expr_assign(const char *stmt, hmap *vars, expr_result *res);

#endif /* GEOM_EXPR_H */
