"""Runs a notebook on Jupyter's own executor (nbclient) for `support run`.

Usage: python3 execute.py INPUT.ipynb OUTPUT.ipynb RESULT.json KERNEL_NAME CWD TIMEOUT_SECONDS

Executes the cells in order and stops at the first failing cell. Whatever happens, it writes the notebook as far as
it ran to OUTPUT.ipynb and a JSON result to RESULT.json:
  {"status": "ok" | "cell-error" | "timeout" | "kernel-died" | "interrupted" | "environment" | "internal",
   "cell": index of the failing cell or null, "message": "...", "cells": [{"index": i, "ms": n}],
   "kernel_start_ms": time to start the kernel}
Prints "::cell N" on stdout as each code cell starts (progress). Ctrl-C stops the run and still writes both files.
The TypeScript side (lib/runner/execute.ts) marks the failure, redacts and saves the notebook.
"""
import json
import math
import sys
import time


def main():
    src, dst, result_path, kernel_name, cwd, timeout = sys.argv[1:7]
    result = {"status": "ok", "cell": None, "message": "", "cells": []}
    nb = None

    def finish():
        if nb is not None:
            with open(dst, "w", encoding="utf-8") as f:
                nbformat.write(nb, f)
        with open(result_path, "w", encoding="utf-8") as f:
            json.dump(result, f)

    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from jupyter_client.kernelspec import NoSuchKernel
    except ImportError as e:
        result.update(status="environment", message="Jupyter's executor is not installed for %s (%s). Install it: apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel" % (sys.executable, e))
        with open(result_path, "w", encoding="utf-8") as f:
            json.dump(result, f)
        return

    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        timeout=max(1, math.ceil(float(timeout))),
        # Generous bounds on real events, so a busy machine is slow, not broken: the kernel's first reply, and the
        # end of a cell's output (the kernel's "idle") after its reply, which nbclient would otherwise give up on
        # after 4 s, silently dropping the outputs still on their way.
        startup_timeout=180,
        iopub_timeout=120,
        kernel_name=kernel_name,
        interrupt_on_timeout=False,
        record_timing=True,
        resources={"metadata": {"path": cwd}},
    )
    index = None
    kernel_started = time.monotonic()
    try:
        try:
            with client.setup_kernel():
                result["kernel_start_ms"] = round((time.monotonic() - kernel_started) * 1000)
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    started = time.monotonic()
                    print("::cell %d" % index, flush=True)  # progress, read by lib/runner/execute.ts
                    try:
                        client.execute_cell(cell, index)
                    finally:
                        result["cells"].append({"index": index, "ms": round((time.monotonic() - started) * 1000)})
        except NoSuchKernel:
            result.update(status="environment", message='No Jupyter kernel named "%s". Install it: support kernel install' % kernel_name)
        except CellTimeoutError:
            result.update(status="timeout", cell=index, message="The cell did not finish within %s seconds (--timeout)." % timeout)
        except DeadKernelError as e:
            result.update(status="kernel-died", cell=index, message="The kernel died while running this cell (out of memory, or the code ended the process): %s" % e)
        except CellExecutionError as e:
            result.update(status="cell-error", cell=index, message=str(e))
        except RuntimeError as e:
            if index is None or "Kernel died before replying" in str(e) or "Kernel didn't respond" in str(e):
                result.update(status="environment", message="The kernel %s did not start: %s. Check it with: support kernel status" % (kernel_name, e))
            else:
                result.update(status="kernel-died", cell=index, message=str(e))
    except KeyboardInterrupt:
        result.update(status="interrupted", cell=index, message="Interrupted (Ctrl-C) while running this cell.")
    except Exception as e:  # noqa: BLE001 - report anything else rather than lose the notebook
        result.update(status="internal", cell=index, message="%s: %s" % (type(e).__name__, e))
    finally:
        finish()


if __name__ == "__main__":
    main()
