/*
 * expr_eval.c - recursive-descent evaluator for the expression language.
 * Evaluation happens during parsing; the first error wins.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "geom/expr.h"

typedef struct parser {
    lexer lx;
    token cur;
    const hmap *vars;
    expr_result *res;
} parser;

static void advance(parser *p)
{
    p->cur = *lexer_next(&p->lx);
}

static double fail(parser *p, int status, const char *msg, const char *detail)
{
    if (p->res->status == GEOM_OK) {
        p->res->status = status;
        p->res->err_pos = p->cur.pos;
        snprintf(p->res->err, sizeof p->res->err, "%s%s", msg, detail);
    }
    return 0.0;
}

static int is_op(const parser *p, char op)
{
    return p->cur.kind == TOK_OP && p->cur.op == op;
}

static double parse_expr(parser *p);
static double parse_unary(parser *p);

static double parse_call(parser *p, const char *name)
{
    const expr_func *f = expr_find_func(name);
    double args[EXPR_MAX_ARGS];
    int argc = 0;

    if (!f)
        return fail(p, GEOM_ERR_NOTFOUND, "unknown function ", name);
    advance(p); /* '(' */
    if (p->cur.kind != TOK_RPAREN) {
        for (;;) {
            double v = parse_expr(p);
            if (argc < EXPR_MAX_ARGS)
                args[argc] = v;
            argc++;
            if (p->cur.kind != TOK_COMMA)
                break;
            advance(p);
        }
    }
    if (p->cur.kind != TOK_RPAREN)
        return fail(p, GEOM_ERR_PARSE, "expected ')' after arguments of ", name);
    advance(p);
    if (argc != f->arity)
        return fail(p, GEOM_ERR_PARSE, "wrong number of arguments for ", name);
    return f->fn(args);
}

static double parse_primary(parser *p)
{
    double v;

    switch (p->cur.kind) {
    case TOK_NUM:
        v = p->cur.num;
        advance(p);
        return v;
    case TOK_IDENT: {
        char name[EXPR_IDENT_MAX];
        memcpy(name, p->cur.ident, sizeof name);
        advance(p);
        if (p->cur.kind == TOK_LPAREN)
            return parse_call(p, name);
        if (p->vars && hmap_get(p->vars, name, &v) == GEOM_OK)
            return v;
        if (expr_find_const(name, &v) == GEOM_OK)
            return v;
        return fail(p, GEOM_ERR_NOTFOUND, "unknown variable ", name);
    }
    case TOK_LPAREN:
        advance(p);
        v = parse_expr(p);
        if (p->cur.kind != TOK_RPAREN)
            return fail(p, GEOM_ERR_PARSE, "expected ", "')'");
        advance(p);
        return v;
    default:
        return fail(p, GEOM_ERR_PARSE, "unexpected ", tok_kind_name(p->cur.kind));
    }
}

/* '^' is right-associative and binds tighter than unary minus. */
static double parse_power(parser *p)
{
    double base = parse_primary(p);

    if (is_op(p, '^')) {
        advance(p);
        return pow(base, parse_unary(p));
    }
    return base;
}

static double parse_unary(parser *p)
{
    if (is_op(p, '-')) {
        advance(p);
        return -parse_unary(p);
    }
    if (is_op(p, '+')) {
        advance(p);
        return parse_unary(p);
    }
    return parse_power(p);
}

static double parse_term(parser *p)
{
    double v = parse_unary(p);

    while (is_op(p, '*') || is_op(p, '/') || is_op(p, '%')) {
        char op = p->cur.op;
        double r;
        advance(p);
        r = parse_unary(p);
        if (op == '*') {
            v *= r;
        } else if (r == 0.0) {
            return fail(p, GEOM_ERR_RANGE, "division by zero", "");
        } else {
            v = (op == '/') ? v / r : fmod(v, r);
        }
    }
    return v;
}

static double parse_expr(parser *p)
{
    double v = parse_term(p);

    while (is_op(p, '+') || is_op(p, '-')) {
        char op = p->cur.op;
        advance(p);
        v = (op == '+') ? v + parse_term(p) : v - parse_term(p);
    }
    return v;
}

int expr_eval(const char *src, const hmap *vars, expr_result *res)
{
    parser p;

    memset(res, 0, sizeof *res);
    lexer_init(&p.lx, src);
    p.vars = vars;
    p.res = res;
    advance(&p);
    res->value = parse_expr(&p);
    if (res->status == GEOM_OK && p.cur.kind != TOK_END)
        fail(&p, GEOM_ERR_PARSE, "trailing ", tok_kind_name(p.cur.kind));
    return res->status;
}

/* Evaluate "name = expression" and store the value in vars. */
int expr_assign(const char *stmt, hmap *vars, expr_result *res)
{
    lexer lx;
    char name[EXPR_IDENT_MAX];
    const token *t;

    memset(res, 0, sizeof *res);
    lexer_init(&lx, stmt);
    t = lexer_next(&lx);
    if (t->kind == TOK_IDENT) {
        memcpy(name, t->ident, sizeof name);
        t = lexer_next(&lx);
        if (t->kind == TOK_OP && t->op == '=') {
            if (expr_eval(stmt + lx.pos, vars, res) != GEOM_OK) {
                res->err_pos += lx.pos;
                return res->status;
            }
            if (hmap_set(vars, name, res->value) != GEOM_OK)
                res->status = GEOM_ERR_NOMEM;
            return res->status;
        }
    }
    res->status = GEOM_ERR_PARSE;
    res->err_pos = t->pos;
    snprintf(res->err, sizeof res->err, "expected 'name = expression'");
    return res->status;
}
