/*
 * main.c - geomdemo: exercises libgeom and prints deterministic results.
 *
 * Every section prints measured values and runs a few self-checks. The
 * exit status is non-zero if any check fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "geom/geom.h"
#include "report.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const vec2 sample_pts[] = {
    { 0.0, 0.0 }, { 4.0, 0.0 }, { 6.0, 2.0 }, { 4.0, 5.0 },
    { 1.0, 4.0 }, { 2.0, 2.0 }, { 3.0, 1.0 }, { 3.0, 3.0 },
};

static const vec2 l_shape[] = {
    { 0.0, 0.0 }, { 4.0, 0.0 }, { 4.0, 1.0 }, { 1.0, 1.0 }, { 1.0, 3.0 }, { 0.0, 3.0 },
};

static void demo_vectors(void)
{
    vec2 a = v2(3.0, 4.0), b = v2(-2.0, 1.0);
    vec3 x = v3(1.0, 0.0, 0.0), y = v3(0.0, 1.0, 0.0);
    vec3 n = v3_norm(v3(1.0, 1.0, 1.0)), u, w;

    report_section("vectors");
    report_line("a = %s, |a| = %s, b = %s", pt2(a), num(v2_len(a), 3), pt2(b));
    report_line("a . b = %s, a x b = %s", num(v2_dot(a, b), 3), num(v2_cross(a, b), 3));
    report_line("angle a->b = %s deg", num(geom_rad2deg(v2_angle(a, b)), 3));
    report_line("a rotated 90 deg = %s", pt2(v2_rotate(a, geom_deg2rad(90.0))));
    report_line("a projected on x axis = %s", pt2(v2_project(a, v2(1.0, 0.0))));
    report_line("(1,-1) reflected on normal (0,1) = %s", pt2(v2_reflect(v2(1.0, -1.0), v2(0.0, 1.0))));
    report_line("lerp(a, b, 0.25) = %s", pt2(v2_lerp(a, b, 0.25)));
    report_line("x cross y = %s", pt3(v3_cross(x, y)));
    report_line("triple((1,2,3), (0,1,4), (5,6,0)) = %s",
                num(v3_triple(v3(1, 2, 3), v3(0, 1, 4), v3(5, 6, 0)), 3));
    report_line("angle((1,0,0), (1,1,0)) = %s deg",
                num(geom_rad2deg(v3_angle(x, v3(1, 1, 0))), 3));
    v3_basis(n, &u, &w);
    report_check("basis around (1,1,1) is orthonormal",
                 fabs(v3_dot(u, w)) < 1e-12 && fabs(v3_dot(u, n)) < 1e-12 &&
                 fabs(v3_len(u) - 1.0) < 1e-12 && fabs(v3_len(w) - 1.0) < 1e-12);
    report_check("basis is right-handed", v3_eq(v3_cross(u, w), n, 1e-12));
}

static void demo_matrices(void)
{
    mat3 m = mat3_from_rows(v3(2, 0, 1), v3(1, 3, 2), v3(1, 1, 2)), inv, xf, xi;
    mat4 t, ti, view;
    vec3 p = v3(1.0, 0.0, 0.0), q;
    strbuf sb;

    report_section("matrices");
    report_line("det(M) = %s, trace(M) = %s", num(mat3_det(m), 3), num(mat3_trace(m), 3));
    sb_init(&sb);
    if (mat3_inverse(m, &inv) == GEOM_OK) {
        report_line("inverse(M) =");
        fmt_mat3(&sb, inv, 4, "    ");
        report_block(sb_cstr(&sb), "");
    }
    sb_free(&sb);
    report_check("M * inverse(M) == I", mat3_eq(mat3_mul(m, inv), mat3_identity(), 1e-12));
    report_check("singular matrix is rejected",
                 mat3_inverse(mat3_from_rows(v3(1, 2, 3), v3(2, 4, 6), v3(0, 1, 1)), &inv) ==
                 GEOM_ERR_DEGENERATE);

    t = mat4_mul(mat4_translate(v3(1, 2, 3)),
                 mat4_mul(mat4_rotate_axis(v3(0, 0, 1), geom_deg2rad(90.0)),
                          mat4_scale(v3(2, 2, 2))));
    q = mat4_transform_point(t, p);
    report_line("T * S * R applied to %s = %s", pt3(p), pt3(q));
    report_line("direction (0,1,0) under T = %s", pt3(mat4_transform_dir(t, v3(0, 1, 0))));
    report_check("affine inverse round trip",
                 mat4_affine_inverse(t, &ti) == GEOM_OK &&
                 v3_eq(mat4_transform_point(ti, q), p, 1e-12));
    view = mat4_look_at(v3(0, 0, 5), v3(0, 0, 0), v3(0, 1, 0));
    report_line("look_at from (0,0,5): origin -> %s", pt3(mat4_transform_point(view, v3(0, 0, 0))));

    xf = xf2_rotate_about(v2(1.0, 1.0), geom_deg2rad(90.0));
    xf = xf2_then(xf, xf2_scale(2.0, 1.0));
    report_line("2D: rotate 90 about (1,1) then scale x2: (2,1) -> %s",
                pt2(xf2_apply(xf, v2(2.0, 1.0))));
    report_check("2D transform inverse",
                 xf2_invert(xf, &xi) == GEOM_OK &&
                 v2_eq(xf2_apply(xi, xf2_apply(xf, v2(-3.0, 7.0))), v2(-3.0, 7.0), 1e-12));
}

static void demo_quaternions(void)
{
    quat qz = quat_from_axis_angle(v3(0, 0, 1), geom_deg2rad(90.0));
    quat qx = quat_from_axis_angle(v3(1, 0, 0), geom_deg2rad(90.0));
    quat half = quat_slerp(quat_identity(), qz, 0.5);
    quat e = quat_from_euler(geom_deg2rad(30.0), geom_deg2rad(20.0), geom_deg2rad(10.0));
    quat back, inv;
    vec3 axis;
    double angle;
    mat3 r;

    report_section("quaternions");
    report_line("90 deg about z: (1,0,0) -> %s", pt3(quat_rotate(qz, v3(1, 0, 0))));
    report_line("z then x: (1,0,0) -> %s", pt3(quat_rotate(quat_mul(qx, qz), v3(1, 0, 0))));
    quat_to_axis_angle(half, &axis, &angle);
    report_line("slerp(identity, qz, 0.5): axis %s, angle %s deg", pt3(axis),
                num(geom_rad2deg(angle), 3));
    report_line("euler(30, 20, 10) = [%s %s %s %s]", num(e.w, 4), num(e.x, 4), num(e.y, 4),
                num(e.z, 4));
    r = quat_to_mat3(e);
    back = quat_from_mat3(r);
    report_line("rotation matrix det = %s", num(mat3_det(r), 6));
    report_check("quat -> mat3 -> quat round trip", quat_angle_between(e, back) < 1e-9);
    report_check("matrix and quaternion agree",
                 v3_eq(mat3_mul_v3(r, v3(1, 2, 3)), quat_rotate(e, v3(1, 2, 3)), 1e-12));
    report_check("q * inverse(q) == identity",
                 quat_inverse(e, &inv) == GEOM_OK &&
                 quat_angle_between(quat_mul(e, inv), quat_identity()) < 1e-9);
    report_line("angle between qz and qx = %s deg",
                num(geom_rad2deg(quat_angle_between(qz, qx)), 3));
}

static void demo_polygons(void)
{
    const size_t n = COUNT(l_shape);
    const vec3 tilted[] = { { 0, 0, 0 }, { 2, 0, 2 }, { 2, 3, 2 }, { 0, 3, 0 } };
    const vec2 messy[] = { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 2, 0 }, { 2, 2 }, { 1, 2 }, { 0, 2 }, { 0, 1 } };
    tri_index tris[16];
    size_t ntris = 0, removed;
    polygon p;
    vec2 c;
    int rc;

    report_section("polygons");
    report_line("L-shape: %lu vertices, area %s, perimeter %s", (unsigned long)n,
                num(poly_area(l_shape, n), 3), num(poly_perimeter(l_shape, n), 3));
    poly_centroid(l_shape, n, &c);
    report_line("centroid %s, ccw %d, convex %d, simple %d", pt2(c),
                poly_is_ccw(l_shape, n), poly_is_convex(l_shape, n), poly_is_simple(l_shape, n));
    report_line("contains (0.5,2): %d, (2,2): %d, (4,0.5): %d",
                poly_contains(l_shape, n, v2(0.5, 2.0)), poly_contains(l_shape, n, v2(2.0, 2.0)),
                poly_contains(l_shape, n, v2(4.0, 0.5)));
    report_line("distance from (2,2) to boundary = %s",
                num(poly_boundary_distance(l_shape, n, v2(2.0, 2.0)), 3));
    rc = poly_triangulate_ear(l_shape, n, tris, &ntris);
    report_line("ear clipping: %lu triangles (%s), area %s", (unsigned long)ntris,
                geom_strerror(rc), num(tris_total_area(l_shape, tris, ntris), 3));
    report_check("triangles cover the L-shape",
                 fabs(tris_total_area(l_shape, tris, ntris) - poly_area(l_shape, n)) < 1e-12);

    poly_init(&p);
    poly_assign(&p, l_shape, n);
    poly_reverse(&p);
    rc = poly_triangulate_ear(p.pts, p.n, tris, &ntris);
    report_check("clockwise input triangulates too",
                 rc == GEOM_OK && ntris == n - 2 &&
                 fabs(tris_total_area(p.pts, tris, ntris) - 6.0) < 1e-12);
    poly_make_ccw(&p);
    report_check("make_ccw restores orientation", poly_is_ccw(p.pts, p.n));

    poly_assign(&p, messy, COUNT(messy));
    removed = poly_cleanup(&p, 1e-9);
    report_line("cleanup removed %lu of %lu vertices, square convex %d",
                (unsigned long)removed, (unsigned long)COUNT(messy),
                poly_is_convex(p.pts, p.n));
    ntris = poly_triangulate_fan(p.n, tris);
    report_line("fan triangulation: %lu triangles, area %s", (unsigned long)ntris,
                num(tris_total_area(p.pts, tris, ntris), 3));
    report_line("tilted 3D rectangle area = %s", num(poly_area_3d(tilted, COUNT(tilted)), 3));
    poly_free(&p);
}

static void demo_hull(void)
{
    const size_t n = COUNT(sample_pts);
    polygon hull, cloud;
    vec2 a, b, centroid;
    size_t i, inside = 0;
    rng r;

    report_section("convex hull");
    poly_init(&hull);
    poly_init(&cloud);
    convex_hull(sample_pts, n, &hull);
    report_line("hull of %lu points: %lu vertices, area %s", (unsigned long)n,
                (unsigned long)hull.n, num(poly_area(hull.pts, hull.n), 3));
    {
        strbuf sb;
        sb_init(&sb);
        fmt_points(&sb, hull.pts, hull.n, 1);
        report_line("vertices %s", sb_cstr(&sb));
        sb_free(&sb);
    }
    report_line("diameter %s, min width %s", num(hull_diameter(&hull, &a, &b), 3),
                num(hull_min_width(&hull), 3));
    report_line("diameter endpoints %s %s", pt2(a), pt2(b));
    report_check("hull is convex and counter-clockwise",
                 poly_is_convex(hull.pts, hull.n) && poly_is_ccw(hull.pts, hull.n));

    rng_seed(&r, 2024);
    for (i = 0; i < 200; i++)
        poly_push(&cloud, rng_in_disk(&r, v2(0.0, 0.0), 10.0));
    convex_hull(cloud.pts, cloud.n, &hull);
    poly_centroid(hull.pts, hull.n, &centroid);
    for (i = 0; i < cloud.n; i++)
        if (poly_contains(hull.pts, hull.n, cloud.pts[i]) != 0)
            inside++;
    report_line("random disk (200 pts): hull %lu vertices, area %s (disk %s)",
                (unsigned long)hull.n, num(poly_area(hull.pts, hull.n), 2),
                num(GEOM_PI * 100.0, 2));
    report_line("hull centroid %s, perimeter %s", pt2(centroid),
                num(poly_perimeter(hull.pts, hull.n), 3));
    report_check("every cloud point is inside or on the hull", inside == cloud.n);

    /* collinear input degenerates to a segment */
    poly_clear(&cloud);
    for (i = 0; i < 5; i++)
        poly_push(&cloud, v2((double)i, 2.0 * (double)i));
    convex_hull(cloud.pts, cloud.n, &hull);
    report_line("hull of 5 collinear points: %lu vertices", (unsigned long)hull.n);
    poly_free(&hull);
    poly_free(&cloud);
}

static void demo_clipping(void)
{
    const vec2 square[] = { { 0, 0 }, { 4, 0 }, { 4, 4 }, { 0, 4 } };
    const vec2 tri[] = { { 2, -1 }, { 2, 5 }, { 6, 2 } }; /* clockwise */
    polygon subj, clip, out;
    strbuf sb;

    report_section("clipping");
    poly_init(&subj);
    poly_init(&clip);
    poly_init(&out);
    sb_init(&sb);
    poly_assign(&subj, square, COUNT(square));
    poly_assign(&clip, tri, COUNT(tri));
    poly_clip_convex(&subj, &clip, &out);
    fmt_points(&sb, out.pts, out.n, 3);
    report_line("square & triangle: %lu vertices, area %s", (unsigned long)out.n,
                num(poly_area(out.pts, out.n), 3));
    report_line("%s", sb_cstr(&sb));
    report_check("overlap area is symmetric",
                 fabs(poly_overlap_area(&subj, &clip) - poly_overlap_area(&clip, &subj)) < 1e-9);

    poly_assign(&subj, l_shape, COUNT(l_shape));
    poly_assign(&clip, square, COUNT(square));
    xf2_apply_many(xf2_translate(0.5, 0.5), clip.pts, clip.n);
    report_line("L-shape & shifted square: area %s",
                num(poly_overlap_area(&subj, &clip), 3));
    poly_free(&subj);
    poly_free(&clip);
    poly_free(&out);
    sb_free(&sb);
}

static void demo_segments(void)
{
    static const char *kinds[] = { "none", "point", "overlap" };
    segment2 segs[5];
    segment2 star[5];
    vec2 hit = v2(0.0, 0.0), corner[2];
    size_t i, j;
    int k;

    report_section("segments and boxes");
    segs[0].a = v2(0, 0); segs[0].b = v2(4, 4);
    segs[1].a = v2(0, 4); segs[1].b = v2(4, 0);
    segs[2].a = v2(5, 5); segs[2].b = v2(8, 8);
    segs[3].a = v2(2, 2); segs[3].b = v2(6, 6);
    segs[4].a = v2(0, 1); segs[4].b = v2(4, 5);
    for (i = 0; i < 4; i++) {
        for (j = i + 1; j < 5; j++) {
            k = seg_intersect(segs[i], segs[j], &hit);
            if (k == SEG_NONE)
                report_line("s%lu x s%lu: none", (unsigned long)i, (unsigned long)j);
            else
                report_line("s%lu x s%lu: %s at %s", (unsigned long)i, (unsigned long)j,
                            kinds[k], pt2(hit));
        }
    }
    for (i = 0; i < 5; i++) {
        double a0 = GEOM_TAU * (double)i / 5.0 + GEOM_PI / 2.0;
        double a1 = GEOM_TAU * (double)((i + 2) % 5) / 5.0 + GEOM_PI / 2.0;
        star[i].a = v2(cos(a0), sin(a0));
        star[i].b = v2(cos(a1), sin(a1));
    }
    report_line("pentagram: %lu intersecting segment pairs",
                (unsigned long)seg_count_crossings(star, 5));
    if (line_intersect(v2(0, 0), v2(1, 2), v2(3, 0), v2(-1, 1), &hit) == GEOM_OK)
        report_line("lines y=2x and y=3-x meet at %s", pt2(hit));
    report_line("distance (3,4) to s0 = %s", num(seg_point_dist(segs[0], v2(3, 4)), 4));

    {
        bbox2 b1 = bbox2_of(sample_pts, COUNT(sample_pts));
        bbox2 b2 = bbox2_of(l_shape, COUNT(l_shape)), ov;
        bbox3 b3 = bbox3_empty();
        b2 = bbox2_expand(b2, 0.5);
        corner[0] = b1.min;
        corner[1] = b1.max;
        report_line("bbox(sample) = %s..%s, area %s, center %s", pt2(corner[0]),
                    pt2(corner[1]), num(bbox2_area(b1), 3), pt2(bbox2_center(b1)));
        if (bbox2_intersect(b1, bbox2_add(b2, v2(-3, -3)), &ov))
            report_line("overlap with expanded L box: %s..%s", pt2(ov.min), pt2(ov.max));
        report_line("union area %s", num(bbox2_area(bbox2_union(b1, b2)), 3));
        b3 = bbox3_add(bbox3_add(b3, v3(1, 2, 3)), v3(-1, 0, 5));
        report_line("bbox3 volume %s", num(bbox3_volume(b3), 3));
        report_check("bbox contains all sample points",
                     bbox2_contains(b1, sample_pts[2]) && bbox2_contains(b1, sample_pts[6]));
    }
}

static void demo_circles(void)
{
    vec2 ring[24], hits[2];
    circle2 c3, fit, enc;
    size_t i;
    int k;
    rng r;

    report_section("circles");
    if (circle_from_3(v2(0, 0), v2(4, 0), v2(0, 3), &c3) == GEOM_OK)
        report_line("circumcircle of (0,0) (4,0) (0,3): center %s, r %s", pt2(c3.c),
                    num(c3.r, 3));
    report_check("collinear points have no circumcircle",
                 circle_from_3(v2(0, 0), v2(1, 1), v2(2, 2), &c3) == GEOM_ERR_DEGENERATE);

    rng_seed(&r, 7);
    for (i = 0; i < COUNT(ring); i++) {
        double t = GEOM_TAU * (double)i / (double)COUNT(ring);
        double rad = 5.0 + rng_range(&r, -0.05, 0.05);
        ring[i] = v2(3.0 + rad * cos(t), -2.0 + rad * sin(t));
    }
    if (circle_fit(ring, COUNT(ring), &fit) == GEOM_OK)
        report_line("fit of %lu noisy points: center %s, r %s, rms %s",
                    (unsigned long)COUNT(ring), pt2(fit.c), num(fit.r, 3),
                    num(circle_fit_rms(fit, ring, COUNT(ring)), 4));
    circle_enclosing(sample_pts, COUNT(sample_pts), &enc);
    report_line("min enclosing circle of sample: center %s, r %s, area %s", pt2(enc.c),
                num(enc.r, 3), num(circle_area(enc), 3));
    for (i = 0, k = 1; i < COUNT(sample_pts); i++)
        k = k && circle_contains(enc, sample_pts[i], 1e-9);
    report_check("enclosing circle contains all points", k);
    k = circle_line_intersect(enc, v2(0, 0), v2(1, 0), hits);
    report_line("x axis meets it in %d points: %s %s", k, pt2(hits[0]), pt2(hits[1]));
}

static void demo_points(void)
{
    vec2 cloud[300], a, b, fan[6], wave[41];
    polygon simp;
    double d, db;
    size_t i;
    rng r;

    report_section("point sets");
    rng_seed(&r, 99);
    for (i = 0; i < COUNT(cloud); i++)
        cloud[i] = rng_in_box(&r, v2(0, 0), v2(100, 100));
    d = closest_pair(cloud, COUNT(cloud), &a, &b);
    db = closest_pair_brute(cloud, COUNT(cloud));
    report_line("closest pair of %lu points: %s between %s and %s", (unsigned long)COUNT(cloud),
                num(d, 4), pt2(a), pt2(b));
    report_check("sweep agrees with brute force", fabs(d - db) < 1e-12);

    for (i = 0; i < COUNT(fan); i++)
        fan[i] = v2_rotate(v2(1.0, 0.0), geom_deg2rad(60.0 * (double)((i * 5) % 6)));
    rng_shuffle(&r, fan, COUNT(fan));
    points_sort_angle(fan, COUNT(fan), v2(0, 0));
    report_line("hexagon sorted by angle: first %s, last %s", pt2(fan[0]), pt2(fan[5]));
    report_line("hexagon area %s", num(poly_area(fan, COUNT(fan)), 4));

    for (i = 0; i < COUNT(wave); i++) {
        double x = (double)i * GEOM_TAU / 40.0;
        wave[i] = v2(x, sin(x));
    }
    poly_init(&simp);
    polyline_simplify(wave, COUNT(wave), 0.05, &simp);
    report_line("sine polyline: %lu -> %lu points (eps 0.05), length %s -> %s",
                (unsigned long)COUNT(wave), (unsigned long)simp.n,
                num(polyline_length(wave, COUNT(wave)), 4),
                num(polyline_length(simp.pts, simp.n), 4));
    polyline_simplify(wave, COUNT(wave), 0.5, &simp);
    report_line("with eps 0.5: %lu points", (unsigned long)simp.n);
    poly_free(&simp);
}

static void demo_stats(void)
{
    double xs[40], ys[40], q[3], med, mad, coef[3];
    stats_acc all, lo, hi;
    histogram h;
    linreg lr;
    strbuf sb;
    size_t i;
    rng r;

    report_section("statistics");
    rng_seed(&r, 12345);
    for (i = 0; i < COUNT(xs); i++)
        xs[i] = 10.0 + 2.0 * rng_normal(&r);
    stats_init(&all);
    stats_init(&lo);
    stats_init(&hi);
    stats_add_many(&all, xs, COUNT(xs));
    stats_add_many(&lo, xs, 15);
    stats_add_many(&hi, xs + 15, COUNT(xs) - 15);
    stats_merge(&lo, &hi);
    stats_median(xs, COUNT(xs), &med);
    stats_quartiles(xs, COUNT(xs), q);
    stats_mad(xs, COUNT(xs), &mad);
    report_line("n %lu, mean %s, stddev %s, min %s, max %s", (unsigned long)all.n,
                num(all.mean, 3), num(stats_stddev(&all), 3), num(all.min, 3), num(all.max, 3));
    report_line("median %s, quartiles %s / %s / %s, MAD %s", num(med, 3), num(q[0], 3),
                num(q[1], 3), num(q[2], 3), num(mad, 3));
    report_check("merged accumulators match",
                 fabs(lo.mean - all.mean) < 1e-12 &&
                 fabs(stats_variance(&lo) - stats_variance(&all)) < 1e-9);

    for (i = 0; i < COUNT(xs); i++) {
        double x = (double)i * 0.25;
        xs[i] = x;
        ys[i] = 1.5 * x - 2.0 + 0.1 * rng_normal(&r);
    }
    stats_linreg(xs, ys, COUNT(xs), &lr);
    report_line("linreg: slope %s, intercept %s, r^2 %s, corr %s", num(lr.slope, 4),
                num(lr.intercept, 4), num(lr.r2, 4),
                num(stats_correlation(xs, ys, COUNT(xs)), 4));
    for (i = 0; i < COUNT(xs); i++)
        ys[i] = 0.5 * xs[i] * xs[i] - xs[i] + 3.0;
    stats_polyfit(xs, ys, COUNT(xs), 2, coef);
    report_line("polyfit deg 2: coef [%s, %s, %s], p(2) = %s", num(coef[0], 4),
                num(coef[1], 4), num(coef[2], 4), num(stats_polyval(coef, 2, 2.0), 4));

    hist_init(&h, 0.0, 1.0, 5);
    for (i = 0; i < 500; i++)
        hist_add(&h, rng_unit(&r) * rng_unit(&r));
    hist_add(&h, 1.5);
    sb_init(&sb);
    hist_render(&h, &sb, 30);
    report_line("histogram of u1*u2 (500 samples), mode bin %lu:",
                (unsigned long)hist_mode_bin(&h));
    report_block(sb_cstr(&sb), "    ");
    sb_free(&sb);
    hist_free(&h);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void demo_hashmap(void)
{
    static const char text[] =
        "the hull of the points is the smallest convex polygon that contains "
        "all of the points and the area of the hull is at least the area of "
        "any triangle of the points";
    const char *keys[64];
    char word[32], key[16];
    size_t nkeys = 0, i, it = 0, len = 0;
    const char *k, *p;
    double v;
    hmap m;

    report_section("hash map");
    hmap_init(&m);
    for (p = text;; p++) {
        if (*p == ' ' || *p == '\0') {
            if (len > 0) {
                word[len] = '\0';
                hmap_add(&m, word, 1.0);
                len = 0;
            }
            if (*p == '\0')
                break;
        } else if (len + 1 < sizeof word) {
            word[len++] = *p;
        }
    }
    while (hmap_next(&m, &it, &k, &v) && nkeys < COUNT(keys))
        if (v >= 2.0)
            keys[nkeys++] = k;
    qsort(keys, nkeys, sizeof keys[0], cmp_str);
    report_line("%lu distinct words; repeated:", (unsigned long)hmap_count(&m));
    for (i = 0; i < nkeys; i++) {
        hmap_get(&m, keys[i], &v);
        report_line("  %-8s %d", keys[i], (int)v);
    }
    hmap_free(&m);

    for (i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "k%lu", (unsigned long)i);
        hmap_set(&m, key, (double)i);
    }
    for (i = 0; i < 1000; i += 2) {
        snprintf(key, sizeof key, "k%lu", (unsigned long)i);
        hmap_remove(&m, key);
    }
    report_line("1000 inserts, 500 removals: %lu keys, capacity %lu",
                (unsigned long)hmap_count(&m), (unsigned long)m.cap);
    report_check("lookups after removal",
                 hmap_get(&m, "k999", &v) == GEOM_OK && v == 999.0 &&
                 hmap_get(&m, "k998", &v) == GEOM_ERR_NOTFOUND);
    hmap_free(&m);
}

static void demo_expressions(void)
{
    static const char *stmts[] = {
        "r = 2.5", "area = pi * r^2", "side = sqrt(area)", "h = hypot(3, 4) * 2",
    };
    static const char *exprs[] = {
        "1 + 2 * 3", "-2^2", "2^3^2", "(1 + 2) * -3", "17 % 5 + 0.5",
        "deg(atan2(1, 1))", "clamp(side, 0, 4)", "max(r, h) / min(r, h)",
        "lerp(10, 20, 0.25)", "1 / (r - 2.5)", "foo + 1", "sin(1, 2)", "3 +",
        "2 * (3 + 4", "7 $ 2",
    };
    expr_result res;
    hmap vars;
    size_t i;

    report_section("expressions");
    hmap_init(&vars);
    for (i = 0; i < COUNT(stmts); i++) {
        if (expr_assign(stmts[i], &vars, &res) == GEOM_OK)
            report_line("%-22s -> %s", stmts[i], num(res.value, 6));
        else
            report_line("%-22s -> error: %s", stmts[i], res.err);
    }
    for (i = 0; i < COUNT(exprs); i++) {
        if (expr_eval(exprs[i], &vars, &res) == GEOM_OK)
            report_line("%-22s = %s", exprs[i], num(res.value, 6));
        else
            report_line("%-22s : %s at column %lu (%s)", exprs[i], res.err,
                        (unsigned long)res.err_pos + 1, geom_strerror(res.status));
    }
    report_line("%lu built-in functions, first '%s', last '%s'",
                (unsigned long)expr_func_count(), expr_func_at(0)->name,
                expr_func_at(expr_func_count() - 1)->name);
    hmap_free(&vars);
}

static void demo_raster(void)
{
    polygon hull;
    canvas cv;
    strbuf sb;
    size_t i;

    report_section("plot");
    poly_init(&hull);
    sb_init(&sb);
    convex_hull(sample_pts, COUNT(sample_pts), &hull);
    if (canvas_init(&cv, 33, 15, v2(-1.0, -1.0), v2(7.0, 6.0)) == GEOM_OK) {
        canvas_fill_polygon(&cv, hull.pts, hull.n, ':');
        canvas_polygon(&cv, hull.pts, hull.n, '#');
        for (i = 0; i < COUNT(sample_pts); i++)
            canvas_plot(&cv, sample_pts[i], 'o');
        canvas_render(&cv, &sb);
        report_block(sb_cstr(&sb), "    ");
        canvas_free(&cv);
    }
    sb_free(&sb);
    poly_free(&hull);
}

int main(void)
{
    printf("geomdemo - libgeom %s\n", geom_version());
    demo_vectors();
    demo_matrices();
    demo_quaternions();
    demo_polygons();
    demo_hull();
    demo_clipping();
    demo_segments();
    demo_circles();
    demo_points();
    demo_stats();
    demo_hashmap();
    demo_expressions();
    demo_raster();
    return report_summary() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
