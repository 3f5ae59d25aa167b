"""Jupyter Notebook configuration for `support start` (npm start), given with --config.

Runbooks in git stay clean. Saving (autosave included) never writes outputs, execution counts or session metadata:
- a runbook (a notebook git tracks) is kept exactly as stored: what the operator typed in it (parameters: slugs,
  names, dates of birth) and what it showed go only to runs/saved/<path> (git-ignored), the record of the session;
- with SUPPORT_EDIT_RUNBOOKS=1 (`npm start -- --edit-runbooks`, for changing the runbooks themselves) and for
  notebooks git does not track, edits to code and text are written, without outputs, in the project's JSON layout
  (an unchanged notebook is not written at all).
Checkpoints live in .jupyter/checkpoints/ and the notebook-trust database in memory: nothing of Jupyter's lands in
notebooks/ or outside the checkout.
"""
import json
import os
import subprocess

from notebook.services.contents.largefilemanager import LargeFileManager
from notebook.utils import is_hidden
from tornado import web

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAVED = os.path.join(ROOT, "runs", "saved")
EDIT_RUNBOOKS = os.environ.get("SUPPORT_EDIT_RUNBOOKS") == "1"

# Cell metadata Jupyter adds while a notebook is open: never part of a runbook.
TRANSIENT_CELL_METADATA = ("trusted", "execution", "collapsed", "ExecuteTime")
# Notebook metadata of a session's screen (widget state, the cell toolbar shown): never part of a runbook.
TRANSIENT_NOTEBOOK_METADATA = ("widgets", "celltoolbar")
# Notebook metadata that belongs to the runbook as stored (the kernel it runs on), not to a session.
STORED_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def _text(source):
    return "".join(source) if isinstance(source, list) else (source or "")


def clean_notebook(nb, stored=None):
    """The notebook `nb` (a dict) as a runbook is stored: no outputs, no counts, no session metadata; key order as
    the project writes runbooks (cell_type, id, metadata, source, execution_count, outputs)."""
    stored_cells = {c.get("id"): c for c in (stored or {}).get("cells", []) if c.get("id")}
    cells = []
    for cell in nb.get("cells", []):
        out = {"cell_type": cell.get("cell_type")}
        if "id" in cell:
            out["id"] = cell["id"]
        out["metadata"] = {k: v for k, v in (cell.get("metadata") or {}).items() if k not in TRANSIENT_CELL_METADATA}
        # Scrolling is how the output was viewed: a runbook's cell keeps the setting it is stored with.
        before = stored_cells.get(cell.get("id"))
        if before is not None:
            out["metadata"].pop("scrolled", None)
            if "scrolled" in before.get("metadata", {}):
                out["metadata"]["scrolled"] = before["metadata"]["scrolled"]
        if cell.get("attachments"):
            out["attachments"] = cell["attachments"]
        out["source"] = _text(cell.get("source"))
        if cell.get("cell_type") == "code":
            out["execution_count"] = None
            out["outputs"] = []
        cells.append(out)
    metadata = {k: v for k, v in (nb.get("metadata") or {}).items() if k not in TRANSIENT_NOTEBOOK_METADATA}
    if stored is not None:
        for key in STORED_NOTEBOOK_METADATA:
            if key in stored.get("metadata", {}):
                metadata[key] = stored["metadata"][key]
    return {"cells": cells, "metadata": metadata, "nbformat": nb.get("nbformat", 4), "nbformat_minor": nb.get("nbformat_minor", 5)}


def _normalised(nb):
    return json.loads(json.dumps({**nb, "cells": [{**c, "source": _text(c.get("source"))} for c in nb.get("cells", [])]}))


def _in_order(d, order):
    return {**{k: d[k] for k in order if k in d}, **{k: v for k, v in d.items() if k not in order}}


def runbook_json(nb, stored=None):
    """The file text of a clean notebook: one-space indent, sources as lists of lines, a final newline, and the keys
    in the order the stored file has them (runbooks differ), so an edit shows in git as the lines it changed."""
    templates = {}
    for cell in (stored or {}).get("cells", []):
        templates.setdefault(cell.get("cell_type"), list(cell.keys()))
    cells = [_in_order({**c, "source": c["source"].splitlines(True)}, templates.get(c["cell_type"], [])) for c in nb["cells"]]
    return json.dumps(_in_order({**nb, "cells": cells}, list((stored or {}).keys())), indent=1, ensure_ascii=False) + "\n"


def is_runbook(os_path):
    """Whether git tracks the file (outside a git checkout: whether it exists, to err on the safe side)."""
    try:
        r = subprocess.run(["git", "-C", ROOT, "ls-files", "--error-unmatch", os_path], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return os.path.isfile(os_path)
    if r.returncode == 0:
        return True
    return os.path.isfile(os_path) and b"not a git repository" in r.stderr


class RunbookContentsManager(LargeFileManager):
    """Saves notebooks clean (see the module's doc); other files as usual."""

    def save(self, model, path=""):
        path = path.strip("/")
        if model.get("type") != "notebook" or "content" not in model:
            return super().save(model, path)
        os_path = self._get_os_path(path)
        if is_hidden(os_path, self.root_dir) and not self.allow_hidden:
            raise web.HTTPError(400, f"Cannot create file or directory {os_path!r}")
        stored = None
        if os.path.isfile(os_path):
            try:
                with open(os_path, encoding="utf-8") as f:
                    stored = json.load(f)
            except (OSError, ValueError):
                stored = None
        content = model["content"]
        clean = clean_notebook(content, stored)
        self._keep_session_copy(path, content)
        # A runbook keeps its bytes (and git status) unless its author asked to edit runbooks; other notebooks are
        # written only when their code or text changed.
        keep = stored is not None and not EDIT_RUNBOOKS and is_runbook(os_path)
        if keep and _normalised(clean) != _normalised(stored):
            self.log.info("%s is a runbook: kept as in git; this session's copy is runs/saved/%s", path, path)
        elif stored is None or _normalised(clean) != _normalised(stored):
            self.log.info("Saving %s without outputs (the copy with outputs: runs/saved/%s)", path, path)
            with self.atomic_writing(os_path, text=True, encoding="utf-8") as f:
                f.write(runbook_json(clean, stored))
        if not self.checkpoints.list_checkpoints(path):
            self.create_checkpoint(path)
        result = self.get(path, content=False)
        result["message"] = None
        return result

    def _keep_session_copy(self, path, content):
        """The notebook as on screen, outputs included, in runs/saved/ (git-ignored): the session's record."""
        import nbformat

        target = os.path.join(SAVED, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            nbformat.write(nbformat.from_dict(content), target)
        except Exception:  # noqa: BLE001 - the record is a convenience; the clean save must still happen
            self.log.warning("Could not write the session copy %s", target, exc_info=True)


c = get_config()  # noqa: F821 - provided by Jupyter's config loader
c.NotebookApp.contents_manager_class = RunbookContentsManager
c.FileCheckpoints.root_dir = os.path.join(ROOT, ".jupyter", "checkpoints")
c.NotebookNotary.db_file = ":memory:"
