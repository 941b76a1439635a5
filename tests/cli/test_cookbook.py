"""The cookbook (docs/cookbook/*.md) stays true: every command on its pages runs, and every line
of output a page shows is printed by that command.

A page shows a recipe as a fenced ```sh block (commands run from the repository root with `clm`
on the PATH) or a ```python block, usually followed at once by a ```text block with what it
prints. This test runs each page's blocks in order, in a scratch directory that links the
repository's docs/, examples/, presets/, scripts/ and bindings/ (so files the commands write,
such as crm-events.csv, land there), with `clm` on the PATH being the built one. It checks that:

- every command exits 0, unless the page shows the error it prints;
- every line of a ```text block appears in the output, in the same order. A page may leave lines
  out (a line holding only `...` marks the cut, but is not required) and may shorten a long line
  by ending it with `...` (then the printed line must start with what comes before). Blank lines
  are ignored. So every figure shown on a page is a figure printed by clm, exactly.

The ```python blocks run with the binding in bindings/python/src and the library named by
CLM_LIBRARY; without CLM_LIBRARY (e.g. a sanitizer build, which an interpreter cannot load) they
are skipped.

Run by CTest with CLM_EXE (the built clm), CLM_SOURCE_DIR and CLM_LIBRARY set; by hand:
    CLM_EXE=build/clm CLM_LIBRARY=build/libclm.so python3 tests/cli/test_cookbook.py -v
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SRC = os.path.abspath(os.environ.get("CLM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")))
CLM = os.environ.get("CLM_EXE", "clm")
LIBRARY = os.environ.get("CLM_LIBRARY")
COOKBOOK = os.path.join(SRC, "docs", "cookbook")
PAGES = ["maturity.md", "sales-steps.md", "cadences.md", "dynamics.md", "plan-actual.md"]
LINKED = ["docs", "examples", "presets", "scripts", "bindings"]
FENCE = re.compile(r"^```([\w-]*)\s*$")
ERROR_LINE = re.compile(r"^clm [a-z-]+: ")


class Block:
    def __init__(self, lang, lines, line):
        self.lang, self.lines, self.line = lang, lines, line


def read_blocks(path):
    """The fenced blocks of a page, each with its language, its lines and its first line number;
    `follows` is set on a block that comes right after another (only blank lines between)."""
    blocks, current, last_end = [], None, None
    with open(path, encoding="utf-8") as f:
        text = f.read().splitlines()
    for number, line in enumerate(text, 1):
        m = FENCE.match(line)
        if current is None:
            if m:
                current = Block(m.group(1), [], number)
                gap = text[last_end:number - 1] if last_end is not None else ["x"]
                current.follows = blocks[-1] if blocks and all(not g.strip() for g in gap) else None
            continue
        if line.strip() == "```":
            blocks.append(current)
            current, last_end = None, number
        else:
            current.lines.append(line)
    if current is not None:
        raise AssertionError(f"{path}:{current.line}: unterminated ``` block")
    return blocks


def examples(path):
    """(code block, its output block or None) for every ```sh and ```python block of a page."""
    blocks = read_blocks(path)
    out = []
    for i, b in enumerate(blocks):
        if b.lang not in ("sh", "python"):
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        shown = nxt if nxt is not None and nxt.lang == "text" and nxt.follows is b else None
        out.append((b, shown))
    return out


def commands(block):
    """The shell commands of a ```sh block: one a line, `\\` continues a line, `#` starts a comment."""
    cmds, pending = [], ""
    for line in block.lines:
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        cmds.append(pending + line)
        pending = ""
    if pending:
        cmds.append(pending)
    return cmds


def check_shown(test, where, shown, printed):
    """Every non-blank shown line is a printed line, in order; `...` cuts, `X...` is a prefix."""
    actual = [line.rstrip() for line in printed.splitlines() if line.strip()]
    at = 0
    for expected in shown:
        expected = expected.rstrip()
        if not expected.strip() or expected.strip() == "...":
            continue
        prefix = expected[:-3].rstrip() if expected.endswith("...") else None
        for j in range(at, len(actual)):
            if actual[j] == expected or (prefix is not None and actual[j].startswith(prefix)):
                at = j + 1
                break
        else:
            context = "\n".join(actual[max(0, at - 3):at + 8])
            test.fail(f"{where}: the page shows\n  {expected}\nbut it is not printed (in this order); "
                      f"printed after the last match:\n{context}")


class Cookbook(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="clm-cookbook-")
        for name in LINKED:
            os.symlink(os.path.join(SRC, name), os.path.join(self.scratch, name))
        bindir = os.path.join(self.scratch, ".bin")
        os.mkdir(bindir)
        exe = shutil.which(CLM) if os.sep not in CLM else CLM
        self.assertTrue(exe and os.path.exists(exe), f"no clm executable: CLM_EXE={CLM!r}")
        os.symlink(os.path.abspath(exe), os.path.join(bindir, "clm"))
        self.env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                        PYTHONPATH=os.path.join(SRC, "bindings", "python", "src"))
        if LIBRARY:
            self.env["CLM_LIBRARY"] = os.path.abspath(LIBRARY)

    def tearDown(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def run_shell(self, where, block, shown):
        printed = []
        for cmd in commands(block):
            p = subprocess.run(["sh", "-c", cmd], cwd=self.scratch, env=self.env,
                               capture_output=True, text=True, timeout=600)
            printed += [p.stdout, p.stderr]
            if p.returncode != 0:
                first = (p.stderr.strip().splitlines() or [""])[0]
                shows_error = shown is not None and any(s.rstrip() == first for s in shown.lines)
                self.assertTrue(shows_error, f"{where}: `{cmd}` exited {p.returncode} and the page does "
                                             f"not show its error\nstdout: {p.stdout}\nstderr: {p.stderr}")
            elif shown is not None:
                errors = [s for s in shown.lines if ERROR_LINE.match(s)]
                for e in errors:
                    self.assertNotIn(e.rstrip(), p.stdout + p.stderr,
                                     f"{where}: `{cmd}` printed the error the page shows but exited 0")
        return "".join(printed)

    def run_python(self, where, block):
        script = os.path.join(self.scratch, ".snippet.py")
        with open(script, "w", encoding="utf-8") as f:
            f.write("\n".join(block.lines) + "\n")
        p = subprocess.run([sys.executable, script], cwd=self.scratch, env=self.env,
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(p.returncode, 0, f"{where}: the Python example failed\n{p.stderr}")
        return p.stdout

    def check_page(self, page):
        path = os.path.join(COOKBOOK, page)
        found = examples(path)
        self.assertTrue(any(b.lang == "sh" and shown for b, shown in found),
                        f"{page}: no ```sh recipe with its output")
        for block, shown in found:
            where = f"docs/cookbook/{page}:{block.line}"
            with self.subTest(block=where):
                if block.lang == "python":
                    if not LIBRARY:
                        self.skipTest("CLM_LIBRARY is not set: the Python examples are not run")
                    printed = self.run_python(where, block)
                else:
                    printed = self.run_shell(where, block, shown)
                if shown is not None:
                    check_shown(self, where, shown.lines, printed)

    def test_maturity(self):
        self.check_page("maturity.md")

    def test_sales_steps(self):
        self.check_page("sales-steps.md")

    def test_cadences(self):
        self.check_page("cadences.md")

    def test_dynamics(self):
        self.check_page("dynamics.md")

    def test_plan_actual(self):
        self.check_page("plan-actual.md")

    def test_data_excerpts(self):
        """A plain ``` block quoting an event log shows lines of the cookbook's data files, and one
        quoting a JSON file is that file, byte for byte."""
        data = os.path.join(COOKBOOK, "data")
        csv_lines, json_files = set(), []
        for name in sorted(os.listdir(data)):
            with open(os.path.join(data, name), encoding="utf-8") as f:
                text = f.read()
            if name.endswith(".csv"):
                csv_lines.update(text.splitlines())
            elif name.endswith(".json"):
                json_files.append(text)
        for page in PAGES:
            for block in read_blocks(os.path.join(COOKBOOK, page)):
                where = f"docs/cookbook/{page}:{block.line}"
                if block.lang or not block.lines:
                    continue
                if block.lines[0].startswith("customer_id,timestamp,"):
                    for line in block.lines:
                        if line.strip() != "...":
                            self.assertIn(line, csv_lines, f"{where}: not a row of docs/cookbook/data/*.csv")
                elif block.lines[0] == "{":
                    self.assertIn("\n".join(block.lines) + "\n", json_files,
                                  f"{where}: not the text of a docs/cookbook/data/*.json file")

    def test_every_page_is_linked(self):
        with open(os.path.join(SRC, "docs", "guides.md"), encoding="utf-8") as f:
            guides = f.read()
        for page in PAGES:
            self.assertIn(f"(cookbook/{page})", guides, f"docs/guides.md does not link cookbook/{page}")
        self.assertEqual(sorted(p for p in os.listdir(COOKBOOK) if p.endswith(".md")), sorted(PAGES))


if __name__ == "__main__":
    unittest.main()
