#!/usr/bin/env python3
"""The layering test (the idea of Chromium's checkdeps and Valhalla's module rules): every
#include of every source file under src/ (and fuzz/, the row "fuzz") is checked against the module table in
docs/architecture.md ("Include rules"). A file may include
  - the C++ standard library and POSIX/system headers,
  - headers of its own module and of the modules in its row's "may include" column,
  - the third-party libraries named in its row's "third-party" column,
  - in test files (*_test.cpp, contract/, test_support.hpp), also what "tests may also include" names.
Anything else is a violation: a line per include, exit 1. A module is the longest directory of
the table that contains the file (src/storage/sqlite before src/storage)."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
doc = (root / "docs" / "architecture.md").read_text(encoding="utf-8")

# third-party library name -> include patterns (a header path or a directory prefix)
LIBS = {
    "tl_expected": [r"tl/"],
    "GEOS": [r"geos_c\.h$", r"geos/"],
    "GeographicLib": [r"GeographicLib/"],
    "PROJ": [r"proj\.h$", r"proj/"],
    "GDAL": [r"gdal.*\.h$", r"ogr_.*\.h$", r"cpl_.*\.h$", r"ogrsf_frmts\.h$"],
    "SQLite": [r"sqlite3\.h$", r"sqlite3ext\.h$"],
    "libpq": [r"libpq-fe\.h$", r"postgres_ext\.h$", r"pg_config.*\.h$"],
    "libsodium": [r"sodium\.h$", r"sodium/"],
    "Boost": [r"boost/"],
    "nlohmann_json": [r"nlohmann/"],
    "CLI11": [r"CLI/"],
    "protozero": [r"protozero/"],
    "CBC": [r"coin/", r"Cbc_C_Interface\.h$", r"Clp_C_Interface\.h$", r"Coin.*\.h$"],
    "libxlsxwriter": [r"xlsxwriter\.h$", r"xlsxwriter/"],
    "pango": [r"pango/"],
    "cairo": [r"cairo\.h$", r"cairo/", r"cairo-.*\.h$"],
    "ICU": [r"unicode/"],
    "zlib": [r"zlib\.h$"],
    "libzip": [r"zip\.h$"],
    "expat": [r"expat\.h$"],
    "libxml2": [r"libxml/"],
    "GoogleTest": [r"gtest/", r"gmock/"],
    "Google Benchmark": [r"benchmark/"],
    "libFuzzer": [r"fuzzer/"],
}

# the table: | module (directory under src/) | CMake target | may include | third-party | tests … |
rules = {}
in_table = False
for line in doc.splitlines():
    if re.match(r"^##+\s+Include rules", line):
        in_table = True
        continue
    if in_table and re.match(r"^##+\s", line):
        break
    if not in_table or not line.startswith("|") or "---" in line:
        continue
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < 5 or cells[0].lower().startswith("module"):
        continue
    names = lambda s: [x.strip(" `") for x in re.split(r",", s) if x.strip(" `—-")]
    mod = cells[0].strip("` ")
    rules[mod] = {"may": names(cells[2]), "third": names(cells[3]), "tests": names(cells[4])}
if not rules:
    sys.exit("docs/architecture.md has no 'Include rules' table")
for mod, r in rules.items():
    for lib in r["third"] + [t for t in r["tests"] if t not in rules]:
        if lib not in LIBS:
            sys.exit(f"docs/architecture.md: module {mod}: unknown library or module '{lib}'")

modules = sorted(rules, key=len, reverse=True)


def module_of(rel):  # rel: path under src/
    for m in modules:
        if rel == m or rel.startswith(m + "/"):
            return m
    return None


def is_test(path):
    return (path.name.endswith("_test.cpp") or "contract" in path.parts
            or path.name == "test_support.hpp")


def allowed_modules(mod, test):
    allowed = {mod} | set(rules[mod]["may"])
    if test:
        allowed |= {t for t in rules[mod]["tests"] if t in rules}
    # a module may include its own submodules' public headers only if listed; parents are listed
    return allowed


inc = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]', re.M)
violations = []
checked = 0
unknown = []
# src/ by the table; the fuzz targets (fuzz/, module "fuzz") by their own row
sources = [(p, p.relative_to(root / "src").as_posix()) for p in sorted((root / "src").rglob("*"))]
if "fuzz" in rules and (root / "fuzz").is_dir():
    sources += [(p, "../fuzz/" + p.relative_to(root / "fuzz").as_posix())
                for p in sorted((root / "fuzz").rglob("*")) if "corpus" not in p.parts]
def shown(rel):
    return "fuzz/" + rel[len("../fuzz/"):] if rel.startswith("../fuzz/") else "src/" + rel


for path, rel in sources:
    if path.suffix not in (".cpp", ".hpp", ".h", ".cc", ".inc"):
        continue
    mod = "fuzz" if rel.startswith("../fuzz/") else module_of(rel)
    if mod is None:
        unknown.append(rel)
        continue
    test = is_test(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    for m in inc.finditer(text):
        header = m.group(2)
        lineno = text.count("\n", 0, m.start()) + 1
        checked += 1
        first = header.split("/")[0]
        target = module_of(header.rsplit("/", 1)[0]) if "/" in header else None
        if target is not None and (root / "src" / header).exists():
            ok = target in allowed_modules(mod, test) or any(
                target.startswith(a + "/") and a == mod for a in [mod])
            if not ok:
                violations.append(f"{shown(rel)}:{lineno}: module {mod} includes {header} "
                                  f"(module {target}), which it may not use")
            continue
        if m.group(1) == '"' and (path.parent / header).exists():
            continue  # a header beside the file
        libs = [lib for lib, pats in LIBS.items() if any(re.search(p, header) for p in pats)]
        if not libs:
            continue  # the standard library or a system header
        permitted = set(rules[mod]["third"]) | (set(rules[mod]["tests"]) if test else set())
        if not any(lib in permitted for lib in libs):
            violations.append(f"{shown(rel)}:{lineno}: module {mod} includes <{header}> "
                              f"({libs[0]}), which is not among its third-party libraries")
for u in unknown:
    violations.append(f"src/{u}: in no module of the table in docs/architecture.md")
for v in violations:
    print(v)
print(f"{checked} includes checked in {len(rules)} modules, {len(violations)} violations")
sys.exit(1 if violations else 0)
