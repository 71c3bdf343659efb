/*
 * geom/geom.h - umbrella header including the whole public API.
 */
#ifndef GEOM_GEOM_H
#define GEOM_GEOM_H

#include "geom/common.h"
#include "geom/vec.h"
#include "geom/mat.h"
#include "geom/quat.h"
#include "geom/poly.h"
#include "geom/shapes.h"
#include "geom/linalg.h"
#include "geom/stats.h"
#include "geom/hashmap.h"
#include "geom/strbuf.h"
#include "geom/fmt.h"
#include "geom/expr.h"
#include "geom/rng.h"
#include "geom/raster.h"

#endif /* GEOM_GEOM_H */
