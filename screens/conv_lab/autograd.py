"""The Convolution lab's A4 check: the same gradients by PyTorch autograd, in a thread."""

from __future__ import annotations

from core.convlab.problem import Solution


class AutogradMixin:
    """`x`: compute the gradients with autograd (torch loads only then) and list them."""

    solution: Solution | None
    autograd: object

    def action_autograd(self) -> None:
        if self.solution is None or self.solution.backward is None:
            self.set_status("Autograd compares gradients: type a target y (or dE/do) first.")
            return
        self.set_status("Computing the gradients with PyTorch autograd…")
        solution = self.solution
        self.run_worker(lambda: self._autograd(solution), thread=True, group="autograd")

    def _autograd(self, solution: Solution) -> None:
        from core.convlab.autograd import autograd_check

        result = autograd_check(solution.problem, solution)
        self.app.call_from_thread(self._show_autograd, solution, result)

    def _show_autograd(self, solution: Solution, result) -> None:
        if solution is not self.solution:
            return  # the exercise changed meanwhile
        self.autograd = (solution, result)
        self.refresh_stage()
        self.set_status(
            f"PyTorch autograd: largest difference from the exact values "
            f"{result.largest_difference:.3g} (listed under the matrices)."
        )
