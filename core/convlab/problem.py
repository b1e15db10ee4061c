"""One worked example end to end: conv → activation → optional pooling → optional backward.

A `Problem` holds only inputs (what a student types or a preset gives); `solve` computes
everything the screen, the CLI and the answer checker show.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction

from core.convlab.backward import Backward, conv_backward, mse_gradient, pool_backward
from core.convlab.conv import ConvConfig, ConvError, ConvForward, conv_forward
from core.convlab.matrix import Matrix, Tensor3, shape
from core.convlab.pool import PoolConfig, PoolResult, pool_forward


@dataclass(frozen=True)
class Problem:
    """The inputs of a worked example; no results are stored here."""

    x: Tensor3  # (C, H, W)
    kernels: tuple[Tensor3, ...]  # each (C, kH, kW)
    biases: tuple[Fraction, ...] = ()  # one per kernel, one for all, or none (zero)
    conv: ConvConfig = ConvConfig()
    pool: PoolConfig | None = None  # pooling after the activation, per output map
    target: tuple[Matrix, ...] | None = None  # MSE target, one map per kernel
    grad_output: tuple[Matrix, ...] | None = None  # or the upstream gradient dE/d(final)


@dataclass(frozen=True)
class Solution:
    problem: Problem
    forward: ConvForward
    pooled: tuple[PoolResult, ...] | None
    backward: Backward | None

    @property
    def final(self) -> tuple[Matrix, ...]:
        """The last maps computed: pooled if pooling, else the activation output."""
        if self.pooled is not None:
            return tuple(p.output for p in self.pooled)
        return tuple(r.output for r in self.forward.results)


def solve(problem: Problem) -> Solution:
    """Compute every forward value, and the gradients when a target or dE/do is given."""
    forward = conv_forward(problem.x, problem.kernels, problem.biases, problem.conv)
    pooled = None
    if problem.pool is not None:
        pooled = tuple(pool_forward(r.output, problem.pool) for r in forward.results)
    partial = Solution(problem, forward, pooled, None)
    if problem.target is None and problem.grad_output is None:
        return partial
    return Solution(problem, forward, pooled, _backward(partial))


def _backward(solution: Solution) -> Backward:
    problem, forward = solution.problem, solution.forward
    final = solution.final
    if problem.target is not None and problem.grad_output is not None:
        raise ConvError("Give either a target (MSE loss) or an upstream gradient, not both.")
    if problem.target is not None:
        symbol = "o" if solution.pooled is None else "p"  # pooled maps are p
        loss, grad_final, final_traces = mse_gradient(final, problem.target, symbol)
    else:
        loss, grad_final = None, problem.grad_output
        if len(grad_final) != len(final) or any(
            shape(g) != shape(o) for g, o in zip(grad_final, final)
        ):
            raise ConvError(
                "The upstream gradient must have the output's size: one map per kernel "
                f"of {'×'.join(map(str, shape(final[0])))} (separate maps with |)."
            )
        final_traces = tuple(() for _ in final)
    grad_output, output_traces = grad_final, tuple(() for _ in final)
    if solution.pooled is not None:
        pairs = [
            pool_backward(g, p, shape(r.output), "" if len(final) == 1 else str(k + 1))
            for k, (g, p, r) in enumerate(zip(grad_final, solution.pooled, forward.results))
        ]
        grad_output = tuple(g for g, _ in pairs)
        output_traces = tuple(t for _, t in pairs)
    grads = conv_backward(forward, grad_output)
    return Backward(
        loss,
        tuple(grad_final),
        final_traces,
        grad_output,
        output_traces,
        **{field.name: getattr(grads, field.name) for field in fields(grads)},
    )
