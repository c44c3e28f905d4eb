"""Audit of suppression the way an attacker would: bound every hidden count by linear programming.

An attacker knows every published count and every published relation between counts: the
area is the sum of its wards and of its LSOAs, of its deprivation groups and of its months;
a crime group is at least any group inside it and, when disjoint groups cover it, their sum;
an offence group is the sum of its offence codes; the same count published twice is one
count. :func:`relation_intervals` bounds every hidden count over those relations (the
published counts fixed, hidden ones non-negative): the suppression holds when no hidden
count's interval is shorter than the threshold (methods.md §0.2a). The linear programs are
solved with HiGHS through SciPy, one connected set of hidden counts at a time.

:func:`atom_intervals` is the stronger audit for small problems: it writes each count as a
sum of non-negative atoms (:mod:`safecity.assess.disclosure_model`), so that *every* linear
consequence of the published counts is used, not only the relations listed.

References
----------
Willenborg L. and de Waal T. (2001), *Elements of Statistical Disclosure Control*, Springer,
ch. 4 (cell suppression and its audit by linear programming); Hundepool A. et al. (2012),
*Statistical Disclosure Control*, Wiley, §4.3; ``scipy.optimize.linprog(method="highs")``.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse
from scipy.sparse import csgraph

from safecity.assess.disclosure_model import CellKey, DisclosureModel


class DisclosureAuditError(RuntimeError):
    """The linear program of the audit could not be solved (it should always be feasible)."""


@dataclass(frozen=True, slots=True)
class CellInterval:
    """What an attacker can learn of one hidden count: the interval it must lie in."""

    cell: int
    key: CellKey
    value: float
    lower: float
    upper: float

    @property
    def width(self) -> float:
        """Upper minus lower bound."""
        return self.upper - self.lower


def atom_intervals(model: DisclosureModel, *, hidden: npt.NDArray[np.bool_]) -> list[CellInterval]:
    """The feasible interval of every hidden cell given the published ones, over the atoms.

    Parameters
    ----------
    model
        The published counts of protected sources as sums of atoms.
    hidden
        Per cell, whether it is withheld. Cells with the same atoms must agree (a count
        published in one table and hidden in another is not hidden); they are audited as one.

    Returns
    -------
    list of CellInterval
        One per hidden class (its first cell), with the minimum and maximum of its count.
    """
    if not len(model.keys):
        return []
    classes = model.classes()
    class_hidden = np.zeros(int(classes.max()) + 1, dtype=bool)
    class_published = np.zeros_like(class_hidden)
    np.logical_or.at(class_hidden, classes, hidden)
    np.logical_or.at(class_published, classes, ~hidden)
    leaked = class_hidden & class_published
    incidence = model.incidence()
    first_of_class = np.full(len(class_hidden), -1, dtype=np.int64)
    for cell in range(len(classes) - 1, -1, -1):
        first_of_class[classes[cell]] = cell
    results: list[CellInterval] = []
    for label in np.flatnonzero(leaked):
        cell = int(first_of_class[label])
        value = model.values[cell]
        results.append(CellInterval(cell, model.keys[cell], value, value, value))
    published_cells = np.array(
        [int(first_of_class[label]) for label in np.flatnonzero(class_published)], dtype=np.int64
    )
    hidden_cells = np.array(
        [int(first_of_class[label]) for label in np.flatnonzero(class_hidden & ~class_published)],
        dtype=np.int64,
    )
    if hidden_cells.size == 0:
        return results
    cells = np.concatenate([published_cells, hidden_cells])
    merged = _merge_interchangeable_atoms(incidence[cells])
    equations = merged[: len(published_cells)]
    targets = merged[len(published_cells) :]
    values = np.asarray(model.values, dtype=np.float64)[published_cells]
    solver = _Bounds(equations=equations, values=values)
    for position, cell in enumerate(hidden_cells):
        lower, upper = solver.bounds(targets[position].toarray().ravel(), key=model.keys[cell])
        results.append(CellInterval(int(cell), model.keys[cell], model.values[cell], lower, upper))
    return results


def _merge_interchangeable_atoms(incidence: sparse.csr_matrix) -> sparse.csr_matrix:
    """Columns with the same cells merged into one (exact: the LP cannot tell them apart).

    Atoms in no cell are dropped (nothing constrains them and no count includes them).
    """
    by_column = incidence.tocsc()
    signatures: dict[bytes, int] = {}
    new_column = np.full(by_column.shape[1], -1, dtype=np.int64)
    for column in range(by_column.shape[1]):
        rows = by_column.indices[by_column.indptr[column] : by_column.indptr[column + 1]]
        if rows.size == 0:
            continue
        new_column[column] = signatures.setdefault(np.sort(rows).tobytes(), len(signatures))
    keep = new_column >= 0
    mapping = sparse.csr_matrix(
        (np.ones(int(keep.sum())), (np.flatnonzero(keep), new_column[keep])),
        shape=(by_column.shape[1], len(signatures)),
    )
    merged = (incidence @ mapping).tocsr()
    merged.data[:] = 1.0
    return merged


class _Bounds:
    """Minimum and maximum of a linear form over ``{x ≥ 0 : A x = b}`` (HiGHS via SciPy)."""

    def __init__(self, *, equations: sparse.csr_matrix, values: npt.NDArray[np.float64]) -> None:
        self.equations = equations
        self.values = values

    def bounds(self, objective: npt.NDArray[np.float64], *, key: CellKey) -> tuple[float, float]:
        found = []
        for sign in (1.0, -1.0):
            solution = optimize.linprog(
                sign * objective,
                A_eq=self.equations if self.equations.shape[0] else None,
                b_eq=self.values if self.equations.shape[0] else None,
                bounds=(0, None),
                method="highs",
            )
            if solution.status == 3:  # unbounded: no published relation caps it
                found.append(np.inf)
                continue
            if not solution.success:
                raise DisclosureAuditError(
                    f"the audit's linear program for {key} failed: {solution.message}"
                )
            found.append(sign * float(solution.fun))
        return found[0], found[1]


def failures(intervals: list[CellInterval], *, threshold: int) -> list[CellInterval]:
    """The hidden counts an attacker can narrow to an interval shorter than ``threshold``."""
    return [interval for interval in intervals if interval.width < threshold - 1e-6]


def _class_view(
    model: DisclosureModel, hidden: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.bool_],
           npt.NDArray[np.bool_], npt.NDArray[np.int64]]:  # fmt: skip
    """Classes of cells, their values, hidden and published flags, and each class's first cell."""
    classes = model.classes()
    count = int(classes.max()) + 1
    values = np.zeros(count, dtype=np.float64)
    values[classes] = np.asarray(model.values, dtype=np.float64)
    class_hidden = np.zeros(count, dtype=bool)
    class_published = np.zeros(count, dtype=bool)
    np.logical_or.at(class_hidden, classes, hidden)
    np.logical_or.at(class_published, classes, ~hidden)
    first = np.full(count, -1, dtype=np.int64)
    for cell in range(len(classes) - 1, -1, -1):
        first[classes[cell]] = cell
    return classes, values, class_hidden, class_published, first


def relation_intervals(
    model: DisclosureModel, *, hidden: npt.NDArray[np.bool_]
) -> list[CellInterval]:
    """The interval of every hidden cell over the model's published relations.

    Each line ``total = Σ parts`` (or ``≥`` when it is not exact) and each containment
    ``smaller ≤ larger`` becomes a linear constraint; published counts are fixed at their
    values and hidden ones are free non-negative variables. A count hidden in one table and
    published in another (the same atoms) gets the interval of a single point.

    Returns
    -------
    list of CellInterval
        One per hidden class (its first cell).
    """
    if not len(model.keys):
        return []
    classes, values, class_hidden, class_published, first = _class_view(model, hidden)
    results = [
        CellInterval(
            int(first[label]), model.keys[first[label]], values[label], values[label], values[label]
        )
        for label in np.flatnonzero(class_hidden & class_published)
    ]
    free = class_hidden & ~class_published
    relations: list[tuple[dict[int, float], bool]] = []
    for total, parts, exact in model.lines:
        terms: dict[int, float] = {int(classes[total]): 1.0}
        for part in parts:
            label = int(classes[part])
            terms[label] = terms.get(label, 0.0) - 1.0
        relations.append((terms, exact))
    for smaller, larger in model.containments:
        low, high = int(classes[smaller]), int(classes[larger])
        if low != high:
            relations.append(({high: 1.0, low: -1.0}, False))
    # Keep relations with a hidden count; published counts move to the right-hand side.
    variable_of: dict[int, int] = {}
    rows: list[tuple[dict[int, float], float, bool]] = []
    for terms, exact in relations:
        hidden_terms = {label: weight for label, weight in terms.items() if free[label] and weight}
        if not hidden_terms:
            continue
        constant = sum(weight * values[label] for label, weight in terms.items() if not free[label])
        for label in hidden_terms:
            variable_of.setdefault(label, len(variable_of))
        rows.append((hidden_terms, -constant, exact))
    labels = np.array(sorted(variable_of, key=variable_of.__getitem__), dtype=np.int64)
    unconstrained = [label for label in np.flatnonzero(free) if int(label) not in variable_of]
    for free_label in unconstrained:
        results.append(
            CellInterval(
                int(first[free_label]),
                model.keys[first[free_label]],
                values[free_label],
                0.0,
                np.inf,
            )
        )
    if not rows:
        return results
    matrix = sparse.lil_matrix((len(rows), len(labels)))
    for row, (terms, _rhs, _exact) in enumerate(rows):
        for label, weight in terms.items():
            matrix[row, variable_of[label]] = weight
    matrix = matrix.tocsr()
    right = np.array([rhs for _terms, rhs, _exact in rows])
    exact_rows = np.array([exact for _terms, _rhs, exact in rows], dtype=bool)
    linked = abs(matrix.T) @ abs(matrix)
    count, component = csgraph.connected_components(linked, directed=False)
    for part in range(count):
        columns = np.flatnonzero(component == part)
        in_rows = np.flatnonzero(np.asarray(abs(matrix[:, columns]).sum(axis=1)).ravel() > 0)
        block = matrix[in_rows][:, columns].tocsc()
        bounds = _ComponentBounds(block=block, right=right[in_rows], exact=exact_rows[in_rows])
        for position, column in enumerate(columns):
            label = int(labels[column])
            key = model.keys[first[label]]
            lower, upper = bounds.bounds(position, key=key)
            results.append(CellInterval(int(first[label]), key, values[label], lower, upper))
    return results


class _ComponentBounds:
    """Minimum and maximum of each variable of one connected set of constraints (HiGHS).

    The model is passed to HiGHS once; each bound changes only the objective, so every solve
    after the first starts from the previous optimal basis. Rows are ``Σ a x = rhs`` (exact)
    or ``Σ a x ≥ rhs``; variables are non-negative.
    """

    def __init__(
        self,
        *,
        block: sparse.csc_matrix,
        right: npt.NDArray[np.float64],
        exact: npt.NDArray[np.bool_],
    ) -> None:
        self.columns = block.shape[1]
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]  # untyped binding
        self.highs.setOptionValue("output_flag", False)
        model = highspy.HighsLp()
        model.num_col_ = self.columns
        model.num_row_ = block.shape[0]
        model.col_cost_ = np.zeros(self.columns)
        model.col_lower_ = np.zeros(self.columns)
        model.col_upper_ = np.full(self.columns, highspy.kHighsInf)
        model.row_lower_ = right.astype(np.float64)
        model.row_upper_ = np.where(exact, right, highspy.kHighsInf).astype(np.float64)
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = block.indptr.astype(np.int32)
        model.a_matrix_.index_ = block.indices.astype(np.int32)
        model.a_matrix_.value_ = block.data.astype(np.float64)
        self.highs.passModel(model)
        self.current: int | None = None

    def _optimum(self, sense: highspy.ObjSense, *, key: CellKey) -> float:
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return float(self.highs.getInfo().objective_function_value)
        if (
            status
            in (
                highspy.HighsModelStatus.kUnbounded,
                highspy.HighsModelStatus.kUnboundedOrInfeasible,
            )
            and sense == highspy.ObjSense.kMaximize
        ):
            return float(np.inf)
        raise DisclosureAuditError(
            f"the audit's linear program for {key} failed: {self.highs.modelStatusToString(status)}"
        )

    def bounds(self, column: int, *, key: CellKey) -> tuple[float, float]:
        """The minimum and maximum of variable ``column``."""
        if self.current is not None:
            self.highs.changeColCost(self.current, 0.0)
        self.highs.changeColCost(column, 1.0)
        self.current = column
        lower = self._optimum(highspy.ObjSense.kMinimize, key=key)
        upper = self._optimum(highspy.ObjSense.kMaximize, key=key)
        return lower, upper


__all__ = [
    "CellInterval",
    "DisclosureAuditError",
    "atom_intervals",
    "failures",
    "relation_intervals",
]
