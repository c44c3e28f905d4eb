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
from typing import Any

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


class AtomAudit:
    """The exact audit over atoms, with its repair, for problems small enough to solve.

    Every class of cells (cells with the same atoms) is a row of the incidence matrix over
    the atoms, with atoms that no cell tells apart merged (:func:`_merge_interchangeable_atoms`).
    """

    def __init__(self, model: DisclosureModel) -> None:
        self.model = model
        self.classes = model.classes()
        count = int(self.classes.max()) + 1 if len(self.classes) else 0
        self.first = np.full(count, -1, dtype=np.int64)
        for cell in range(len(self.classes) - 1, -1, -1):
            self.first[self.classes[cell]] = cell
        self.values = np.zeros(count, dtype=np.float64)
        self.values[self.classes] = np.asarray(model.values, dtype=np.float64)
        incidence = model.incidence()[self.first] if count else model.incidence()
        merged, mapping = _merge_with_mapping(incidence)
        self.matrix = merged
        self.atom_counts = mapping.T @ model.atom_counts

    @property
    def atoms(self) -> int:
        """Merged atoms: the size of the problem."""
        return int(self.matrix.shape[1])

    def intervals(self, *, hidden: npt.NDArray[np.bool_]) -> list[CellInterval]:
        """The interval of every hidden class, over the atoms (``hidden`` per class)."""
        published = np.flatnonzero(~hidden)
        solver = _Bounds(equations=self.matrix[published], values=self.values[published])
        results = []
        for label in np.flatnonzero(hidden):
            key = self.model.keys[self.first[label]]
            lower, upper = solver.bounds(self.matrix[label].toarray().ravel(), key=key)
            results.append(
                CellInterval(int(self.first[label]), key, float(self.values[label]), lower, upper)
            )
        return results

    def protecting_cells(
        self, *, label: int, hidden: npt.NDArray[np.bool_], threshold: int
    ) -> list[int]:
        """Published classes to withhold so that class ``label`` can rise by ``threshold``.

        The cheapest change of the atoms (counts stay non-negative) that raises ``label`` by
        the threshold, where changing a published count costs 1 + its value (a linear
        program); every published class it changes is returned (Fischetti and
        Salazar-González 1999).
        """
        published = np.flatnonzero(~hidden)
        atoms = self.atoms
        rows = self.matrix[published]
        count = len(published)
        # Variables: atom rises, atom falls (at most the atom's count), then each published
        # count's rise and fall (its slack).
        identity = sparse.identity(count, format="csr")
        a_eq = sparse.vstack(
            [
                sparse.hstack([rows, -rows, -identity, identity]),
                sparse.hstack(
                    [
                        self.matrix[label],
                        -self.matrix[label],
                        sparse.csr_matrix((1, count)),
                        sparse.csr_matrix((1, count)),
                    ]
                ),
            ]
        ).tocsr()
        b_eq = np.concatenate([np.zeros(count), [float(threshold)]])
        cost = 1.0 + self.values[published]
        objective = np.concatenate([np.zeros(2 * atoms), cost, cost])
        bounds = (
            [(0.0, None)] * atoms
            + [(0.0, float(limit)) for limit in self.atom_counts]
            + [(0.0, None)] * (2 * count)
        )
        solution = optimize.linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if not solution.success:
            return []
        slack = solution.x[2 * atoms : 2 * atoms + count] + solution.x[2 * atoms + count :]
        return [int(published[position]) for position in np.flatnonzero(slack > 1e-7)]


def _merge_with_mapping(
    incidence: sparse.csr_matrix,
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """:func:`_merge_interchangeable_atoms` and the atoms x merged-atoms 0/1 mapping."""
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
    return merged, mapping


def _merge_interchangeable_atoms(incidence: sparse.csr_matrix) -> sparse.csr_matrix:
    """Columns with the same cells merged into one (exact: the LP cannot tell them apart).

    Atoms in no cell are dropped (nothing constrains them and no count includes them).
    """
    return _merge_with_mapping(incidence)[0]


class _Bounds:
    """Minimum and maximum of a linear form over ``{x ≥ 0 : A x = b}`` (HiGHS via SciPy)."""

    def __init__(self, *, equations: sparse.csr_matrix, values: npt.NDArray[np.float64]) -> None:
        self.equations = equations
        self.values = values

    def bounds(self, objective: npt.NDArray[np.float64], *, key: CellKey) -> tuple[float, float]:
        return _extremes(objective, key=key, a_eq=self.equations, b_eq=self.values)


def failures(intervals: list[CellInterval], *, threshold: int) -> list[CellInterval]:
    """The hidden counts an attacker can narrow to an interval shorter than ``threshold``."""
    return [interval for interval in intervals if interval.width < threshold - 1e-6]


class RelationAudit:
    """Bounds of hidden counts over the model's published relations, re-used between rounds.

    Each line ``total = Σ parts`` (or ``≥`` when it is not exact) and each containment
    ``smaller ≤ larger`` is a linear constraint over the cells' classes (cells with the same
    atoms are one count); published counts are fixed at their values and hidden ones are free
    non-negative variables. The hidden counts split into connected sets (linked by a
    constraint); a set whose members did not change since the last call keeps its bounds.
    """

    def __init__(self, model: DisclosureModel) -> None:
        self.model = model
        self.classes = model.classes()
        count = int(self.classes.max()) + 1 if len(self.classes) else 0
        self.values = np.zeros(count, dtype=np.float64)
        self.values[self.classes] = np.asarray(model.values, dtype=np.float64)
        self.first = np.full(count, -1, dtype=np.int64)
        for cell in range(len(self.classes) - 1, -1, -1):
            self.first[self.classes[cell]] = cell
        rows: list[int] = []
        columns: list[int] = []
        weights: list[float] = []
        exact: list[bool] = []
        relation = 0
        for total, parts, is_exact in model.lines:
            terms: dict[int, float] = {int(self.classes[total]): 1.0}
            for part in parts:
                label = int(self.classes[part])
                terms[label] = terms.get(label, 0.0) - 1.0
            for label, weight in terms.items():
                if weight:
                    rows.append(relation)
                    columns.append(label)
                    weights.append(weight)
            exact.append(is_exact)
            relation += 1
        for smaller, larger in model.containments:
            low, high = int(self.classes[smaller]), int(self.classes[larger])
            if low == high:
                continue
            rows.extend((relation, relation))
            columns.extend((high, low))
            weights.extend((1.0, -1.0))
            exact.append(False)
            relation += 1
        self.relations = sparse.csr_matrix((weights, (rows, columns)), shape=(relation, count))
        self.exact = np.array(exact, dtype=bool)
        self._cache: dict[tuple[int, ...], list[tuple[int, float, float]]] = {}

    def intervals(self, *, hidden: npt.NDArray[np.bool_]) -> list[CellInterval]:
        """The interval of every hidden class (its first cell), given cell flags ``hidden``."""
        model = self.model
        count = len(self.values)
        class_hidden = np.zeros(count, dtype=bool)
        class_published = np.zeros(count, dtype=bool)
        np.logical_or.at(class_hidden, self.classes, hidden)
        np.logical_or.at(class_published, self.classes, ~hidden)
        leaked = np.flatnonzero(class_hidden & class_published)
        results = [
            self._interval(int(label), float(self.values[label]), float(self.values[label]))
            for label in leaked
        ]
        free = class_hidden & ~class_published
        free_labels = np.flatnonzero(free)
        if free_labels.size == 0:
            return results
        on_free = self.relations[:, free_labels]
        active = np.flatnonzero(np.diff(on_free.indptr) > 0)
        on_free = on_free[active]
        right = -(self.relations[active][:, ~free] @ self.values[~free])
        exact = self.exact[active]
        constrained = np.diff(on_free.tocsc().indptr) > 0
        for label in free_labels[~constrained]:
            results.append(self._interval(int(label), 0.0, np.inf))
        magnitude = abs(on_free)
        parts, component = csgraph.connected_components(
            (magnitude.T @ magnitude).tocsr(), directed=False
        )
        for part in np.unique(component[constrained]):
            positions = np.flatnonzero((component == part) & constrained)
            key = tuple(int(label) for label in free_labels[positions])
            if key not in self._cache:
                in_rows = np.flatnonzero(np.diff(on_free[:, positions].indptr) > 0)
                bounds = _ComponentBounds(
                    block=on_free[in_rows][:, positions].tocsc(),
                    right=right[in_rows],
                    exact=exact[in_rows],
                )
                found = []
                for column, label in enumerate(key):
                    lower, upper = bounds.bounds(column, key=model.keys[self.first[label]])
                    found.append((label, lower, upper))
                self._cache[key] = found
            for label, lower, upper in self._cache[key]:
                results.append(self._interval(label, lower, upper))
        del parts
        return results

    def protecting_cells(
        self, *, label: int, hidden: npt.NDArray[np.bool_], threshold: int
    ) -> list[int]:
        """Published classes to withhold so that hidden class ``label`` can move by ``threshold``.

        Finds the cheapest change ``d`` of every count that keeps all the relations true
        (``R d = 0`` on exact lines, ``R (x + d) ≥ 0`` on the others), keeps counts
        non-negative and raises ``label`` by ``threshold``; withholding every published count
        that changes makes that change invisible, so the hidden count's interval is at least
        ``threshold`` wide. The cost of changing a published count is 1 + its value, of a
        hidden one nothing (a linear program, HiGHS). This is the classic perturbation view of
        complementary suppression (Fischetti and Salazar-González 1999, *Mathematical
        Programming* 84:283–312), solved as a linear program rather than exactly.

        Parameters
        ----------
        label
            The class that can be narrowed.
        hidden
            Per class, whether it is withheld now.
        threshold
            The width its interval needs.
        """
        count = len(self.values)
        relations = self.relations
        exact = self.exact
        current = relations @ self.values
        cost = np.where(hidden, 0.0, 1.0 + self.values)
        objective = np.concatenate([cost, cost])
        upper_down = self.values.copy()
        bounds_up: list[tuple[float, float | None]] = [(0.0, None)] * count
        bounds_down: list[tuple[float, float | None]] = [
            (0.0, float(limit)) for limit in upper_down
        ]
        bounds_up[label] = (float(threshold), float(threshold))
        bounds_down[label] = (0.0, 0.0)
        stacked = sparse.hstack([relations, -relations]).tocsr()
        a_eq = stacked[exact]
        a_ub = -stacked[~exact]
        b_ub = current[~exact]
        solution = optimize.linprog(
            objective,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=a_eq if a_eq.shape[0] else None,
            b_eq=np.zeros(a_eq.shape[0]) if a_eq.shape[0] else None,
            bounds=bounds_up + bounds_down,
            method="highs",
        )
        if not solution.success:
            return []
        change = solution.x[:count] - solution.x[count:]
        moved = np.flatnonzero((np.abs(change) > 1e-7) & ~hidden)
        return [int(moved_label) for moved_label in moved]

    def _interval(self, label: int, lower: float, upper: float) -> CellInterval:
        cell = int(self.first[label])
        return CellInterval(cell, self.model.keys[cell], float(self.values[label]), lower, upper)


def relation_intervals(
    model: DisclosureModel, *, hidden: npt.NDArray[np.bool_]
) -> list[CellInterval]:
    """The interval of every hidden cell over the model's published relations.

    See :class:`RelationAudit`; a count hidden in one table and published in another (the
    same atoms) gets the interval of a single point.
    """
    if not len(model.keys):
        return []
    return RelationAudit(model).intervals(hidden=hidden)


class _ComponentBounds:
    """Minimum and maximum of each variable of one connected set of constraints (HiGHS).

    Rows are ``Σ a x = rhs`` (exact) or ``Σ a x ≥ rhs``; variables are non-negative. Solved with
    SciPy's interface to HiGHS (``scipy.optimize.linprog(method="highs")``).
    """

    def __init__(
        self,
        *,
        block: sparse.csc_matrix,
        right: npt.NDArray[np.float64],
        exact: npt.NDArray[np.bool_],
    ) -> None:
        self.columns = block.shape[1]
        matrix = block.tocsr()
        self.a_eq = matrix[exact]
        self.b_eq = right[exact]
        self.a_ub = -matrix[~exact]
        self.b_ub = -right[~exact]

    def bounds(self, column: int, *, key: CellKey) -> tuple[float, float]:
        """The minimum and maximum of variable ``column``."""
        objective = np.zeros(self.columns)
        objective[column] = 1.0
        return _extremes(
            objective, key=key, a_eq=self.a_eq, b_eq=self.b_eq, a_ub=self.a_ub, b_ub=self.b_ub
        )


def _extremes(
    objective: npt.NDArray[np.float64],
    *,
    key: CellKey,
    a_eq: Any,
    b_eq: npt.NDArray[np.float64],
    a_ub: Any = None,
    b_ub: npt.NDArray[np.float64] | None = None,
) -> tuple[float, float]:
    """The minimum and maximum of ``objective`` over non-negative solutions of the relations.

    Uses SciPy's HiGHS linear programming; a maximum nothing caps is infinite.
    """
    found = []
    for sign in (1.0, -1.0):
        solution = optimize.linprog(
            sign * objective,
            A_ub=a_ub if a_ub is not None and a_ub.shape[0] else None,
            b_ub=b_ub if a_ub is not None and a_ub.shape[0] else None,
            A_eq=a_eq if a_eq.shape[0] else None,
            b_eq=b_eq if a_eq.shape[0] else None,
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


__all__ = [
    "AtomAudit",
    "CellInterval",
    "DisclosureAuditError",
    "RelationAudit",
    "atom_intervals",
    "failures",
    "relation_intervals",
]
