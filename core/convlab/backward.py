"""Exact backward pass of conv → activation → pooling, each gradient cell with its terms.

The loss is MSE against a target (E = mean((o − y)²) over every output cell) or an
upstream gradient dE/do given directly. Max pooling routes a gradient to its window's
argmax (overlapping windows add up); average pooling spreads it over the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from core.convlab.conv import ConvError, ConvForward, kernel_index
from core.convlab.matrix import Matrix, Tensor3, fmt, fmt_signed, shape
from core.convlab.pool import PoolResult


@dataclass(frozen=True)
class GradTrace:
    """How one gradient value was summed: "label = expression = value"."""

    label: str  # e.g. "dE/dw1[0,1]"
    expression: str  # the terms with their numbers
    value: Fraction
    note: str = ""  # why, when there is nothing to sum
    short: str = ""  # the expression without its zero terms ("" when none are zero)
    zeros: int = 0  # how many terms `short` leaves out

    def arithmetic(self, compact: bool = False) -> str:
        """ "label = terms = value"; `compact` leaves out terms that are 0 and counts them."""
        note = f"  ({self.note})" if self.note else ""
        expression = self.expression
        if compact and self.zeros:
            expression = self.short or "0"
            left = f"{self.zeros} zero term{'s' if self.zeros > 1 else ''} left out"
            note = f"  ({left}{'; ' + self.note if self.note else ''})"
        if not expression or expression == fmt(self.value):
            return f"{self.label} = {fmt(self.value)}{note}"
        return f"{self.label} = {expression} = {fmt(self.value)}{note}"


def sum_trace(label: str, terms: list[tuple[Fraction, ...]], value: Fraction) -> GradTrace:
    """A trace of a sum of products (or of plain values, 1-tuples), with its compact form."""

    def text(factors: tuple[Fraction, ...]) -> str:
        return "·".join(fmt_signed(f) for f in factors)

    nonzero = [t for t in terms if all(f != 0 for f in t)]
    zeros = len(terms) - len(nonzero)
    return GradTrace(
        label,
        " + ".join(text(t) for t in terms) or "0",
        value,
        short=" + ".join(text(t) for t in nonzero) if zeros else "",
        zeros=zeros,
    )


@dataclass(frozen=True)
class Backward:
    """Every gradient, one entry per kernel (grad_input is shared by all kernels)."""

    loss: Fraction | None  # the MSE value; None when an upstream gradient was given
    grad_final: tuple[Matrix, ...]  # dE/d(final output: pooled if pooling, else conv output)
    final_traces: tuple[tuple[GradTrace, ...], ...]
    grad_output: tuple[Matrix, ...]  # dE/d(conv output after activation)
    output_traces: tuple[tuple[GradTrace, ...], ...]  # pooling backward (empty without pooling)
    grad_pre: tuple[Matrix, ...]  # dE/d(pre-activation)
    pre_traces: tuple[tuple[GradTrace, ...], ...]  # activation backward
    grad_weight: tuple[Tensor3, ...]  # (C, kH, kW) per kernel, as the kernel was typed
    weight_traces: tuple[tuple[GradTrace, ...], ...]
    grad_bias: tuple[Fraction, ...]
    bias_traces: tuple[GradTrace, ...]
    grad_input: Tensor3  # (C, H, W)
    input_traces: tuple[GradTrace, ...]


@dataclass(frozen=True)
class ConvGrads:
    """The gradients behind the activation: what `conv_backward` computes."""

    grad_pre: tuple[Matrix, ...]
    pre_traces: tuple[tuple[GradTrace, ...], ...]
    grad_weight: tuple[Tensor3, ...]
    weight_traces: tuple[tuple[GradTrace, ...], ...]
    grad_bias: tuple[Fraction, ...]
    bias_traces: tuple[GradTrace, ...]
    grad_input: Tensor3
    input_traces: tuple[GradTrace, ...]


def mse_gradient(outputs: tuple[Matrix, ...], target: tuple[Matrix, ...], symbol: str = "o"):
    """E and dE/do = 2·(o − y)/N with N every cell of every output map; `symbol` names the
    final maps in the traces ("p" when they are pooled, as the pooling step reads them)."""
    if len(target) != len(outputs) or any(shape(t) != shape(o) for t, o in zip(target, outputs)):
        sizes = " | ".join("{}×{}".format(*shape(o)) for o in outputs)
        raise ConvError(
            f"The target must match the output: {len(outputs)} map(s) of {sizes} "
            "(one per kernel, separated by |)."
        )
    count = sum(len(o) * len(o[0]) for o in outputs)
    loss = (
        sum(
            (
                (v - y) ** 2
                for o, t in zip(outputs, target)
                for ro, rt in zip(o, t)
                for v, y in zip(ro, rt)
            ),
            Fraction(0),
        )
        / count
    )
    grads, traces = [], []
    for k, (o, t) in enumerate(zip(outputs, target)):
        grads.append(
            tuple(tuple(2 * (v - y) / count for v, y in zip(ro, rt)) for ro, rt in zip(o, t))
        )
        traces.append(
            tuple(
                GradTrace(
                    f"dE/d{symbol}{_k(k, outputs)}[{i},{j}]",
                    f"2·({fmt(o[i][j])} − {fmt_signed(t[i][j])})/{count}",
                    grads[-1][i][j],
                )
                for i in range(len(o))
                for j in range(len(o[0]))
            )
        )
    return loss, tuple(grads), tuple(traces)


def loss_trace(
    outputs: tuple[Matrix, ...], target: tuple[Matrix, ...], loss: Fraction
) -> GradTrace:
    """E = mean((o − y)²) written out: "((o − y)² + …)/N", which evaluates to E as printed."""
    terms = [
        f"({fmt(v)} − {fmt_signed(y)})²"
        for o, t in zip(outputs, target)
        for ro, rt in zip(o, t)
        for v, y in zip(ro, rt)
    ]
    return GradTrace("E = mean((o − y)²)", f"({' + '.join(terms)})/{len(terms)}", loss)


def pool_backward(grad: Matrix, pooled: PoolResult, in_shape: tuple[int, int], k_label: str):
    """Route each pooled gradient to its argmax (max) or spread it evenly (avg)."""
    rows, cols = in_shape
    total = [[Fraction(0)] * cols for _ in range(rows)]
    parts: dict[tuple[int, int], list[tuple[str, Fraction]]] = {}
    for step in pooled.steps:
        i, j = step.out
        g = grad[i][j]
        if step.argmax is not None:
            targets = [(step.argmax, g)]
        else:
            targets = [((r, c), g / step.divisor) for r, c, _ in step.cells]
        for (r, c), share in targets:
            total[r][c] += share
            divisor = "" if step.divisor is None else f"/{step.divisor}"
            parts.setdefault((r, c), []).append((f"dE/dp{k_label}[{i},{j}]{divisor}", share))
    traces = []
    for r in range(rows):
        for c in range(cols):
            terms = parts.get((r, c), [])
            expression = " + ".join(name for name, _ in terms)
            if len(terms) > 1:
                expression += " = " + " + ".join(fmt_signed(share) for _, share in terms)
            note = "" if terms else "no pooling window sends a gradient here"
            traces.append(GradTrace(f"dE/da{k_label}[{r},{c}]", expression, total[r][c], note))
    return tuple(tuple(row) for row in total), tuple(traces)


def conv_backward(forward: ConvForward, grad_output: tuple[Matrix, ...]) -> ConvGrads:
    """From dE/d(activation output) to dE/dpre, dE/dw, dE/db and dE/dx."""
    channels = len(forward.padded)
    p_rows, p_cols = len(forward.padded[0]), len(forward.padded[0][0])
    grad_padded = [[[Fraction(0)] * p_cols for _ in range(p_rows)] for _ in range(channels)]
    padded_parts: dict[tuple[int, int, int], list[tuple[Fraction, Fraction]]] = {}
    grad_pre, pre_traces, grad_w, w_traces, grad_b, b_traces = [], [], [], [], [], []
    for k, (result, g_out) in enumerate(zip(forward.results, grad_output)):
        kl = _k(k, forward.results)
        g, traces = _activation_backward(
            result.pre_activation, g_out, forward.config.activation, kl
        )
        grad_pre.append(g)
        pre_traces.append(traces)
        values = [v for row in g for v in row]
        grad_b.append(sum(values, Fraction(0)))
        b_traces.append(sum_trace(f"dE/db{kl}", [(v,) for v in values], grad_b[-1]))
        kernel_grad, kernel_traces = [], []
        for c in range(channels):
            rows = []
            for s, t, taps in _kernel_taps(forward, result.kernel, g, c):
                value = sum((gv * xv for gv, xv, _ in taps), Fraction(0))
                rows.append((s, t, value))
                kernel_traces.append(
                    sum_trace(
                        f"dE/dw{kl}[{_c(c, channels)}{s},{t}]",
                        [(gv, xv) for gv, xv, _ in taps],
                        value,
                    )
                )
                a, b = kernel_index(forward.config.mode, shape(result.kernel[0]), s, t)
                w = result.applied[c][a][b]
                for gv, _, (r, col) in taps:
                    grad_padded[c][r][col] += gv * w
                    padded_parts.setdefault((c, r, col), []).append((gv, w))
            k_rows, k_cols = shape(result.kernel[0])
            kernel_grad.append(
                tuple(
                    tuple(v for _, _, v in rows[r * k_cols : (r + 1) * k_cols])
                    for r in range(k_rows)
                )
            )
        grad_w.append(tuple(kernel_grad))
        w_traces.append(tuple(kernel_traces))
    grad_x, x_traces = _fold_padding(forward, grad_padded, padded_parts)
    return ConvGrads(
        tuple(grad_pre),
        tuple(pre_traces),
        tuple(grad_w),
        tuple(w_traces),
        tuple(grad_b),
        tuple(b_traces),
        grad_x,
        x_traces,
    )


def _kernel_taps(forward: ConvForward, kernel: Tensor3, g: Matrix, channel: int):
    """For each typed kernel cell (s, t): the (dE/dz[i,j], x under it, padded (row, col)) terms."""
    s_r, s_c = forward.config.stride
    d_r, d_c = forward.config.dilation
    k_rows, k_cols = shape(kernel[0])
    for s in range(k_rows):
        for t in range(k_cols):
            a, b = kernel_index(forward.config.mode, (k_rows, k_cols), s, t)
            taps = []
            for i, row in enumerate(g):
                for j, gv in enumerate(row):
                    r, col = i * s_r + a * d_r, j * s_c + b * d_c
                    taps.append((gv, forward.padded[channel][r][col].value, (r, col)))
            yield s, t, taps


def _activation_backward(pre: Matrix, g_out: Matrix, activation: str, kl: str):
    if activation == "none":
        return g_out, ()
    grad = tuple(
        tuple(g if p > 0 else Fraction(0) for p, g in zip(rp, rg)) for rp, rg in zip(pre, g_out)
    )
    traces = tuple(
        GradTrace(
            f"dE/dz{kl}[{i},{j}]", f"{fmt_signed(g_out[i][j])}·[{fmt(pre[i][j])} > 0]", grad[i][j]
        )
        for i in range(len(pre))
        for j in range(len(pre[0]))
    )
    return grad, traces


def _fold_padding(forward: ConvForward, grad_padded, parts):
    """Padding copies input cells, so their gradients flow back to those cells."""
    channels = len(forward.padded)
    top, bottom, left, right = forward.pads
    rows = len(forward.padded[0]) - top - bottom
    cols = len(forward.padded[0][0]) - left - right
    grad = [[[Fraction(0)] * cols for _ in range(rows)] for _ in range(channels)]
    terms: dict[tuple[int, int, int], list[tuple[Fraction, Fraction]]] = {}
    for c, channel in enumerate(forward.padded):
        for r, line in enumerate(channel):
            for col, cell in enumerate(line):
                if cell.source is None or not parts.get((c, r, col)):
                    continue
                sr, sc = cell.source
                grad[c][sr][sc] += grad_padded[c][r][col]
                terms.setdefault((c, sr, sc), []).extend(parts[(c, r, col)])
    traces = tuple(
        sum_trace(f"dE/dx[{_c(c, channels)}{r},{col}]", terms.get((c, r, col), []), grad[c][r][col])
        for c in range(channels)
        for r in range(rows)
        for col in range(cols)
    )
    return tuple(tuple(tuple(row) for row in channel) for channel in grad), traces


def _k(index: int, items) -> str:
    """Kernel suffix in labels ("" for a single kernel, else 1-based)."""
    return "" if len(items) == 1 else str(index + 1)


def _c(channel: int, channels: int) -> str:
    return "" if channels == 1 else f"{channel},"
