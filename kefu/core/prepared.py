"""Querysets built and compiled once per process, then run again and again with new values.

Building a queryset and compiling it to SQL (filters, `select_related`, the SELECT list of a wide model,
the column converters) costs 0.3–0.4 ms of CPU; running the SQL it gives costs about 0.04 ms. The lookups a
hot path makes for every ticket (the new-ticket job, the API) are therefore declared once, with the types
of their parameters, and run through Django's own iterables, so they give exactly what the queryset would:

    @prepared(int)
    def ticket_with_customer(ticket_id):
        return Ticket.objects.select_related("customer").filter(pk=ticket_id)

    ticket = ticket_with_customer.first(42)

The build function is called once per database connection alias, with unmistakable sample values; each
sample must reach the SQL unchanged as a parameter, once or more (plain equality and `in` do; `icontains`
wraps its value and is refused when compiled). Only the parameters are bound per run, so a
query whose SQL would depend on the value (None gives IS NULL) is refused too.
"""

import copy
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet, signals
from django.db.models.expressions import DatabaseDefault
from django.db.models.sql import InsertQuery
from django.db.transaction import TransactionManagementError

# Sample values the build function is called with: each must come out of the compiler as one parameter.
# Integers stay within 32 bits (Django answers a lookup outside an integer column's range with no SQL).
_INT_SAMPLE = 1_987_654_000
_STR_SAMPLE = "\x1fkefu-prepared-{}\x1f"


def _sample(kind: type, position: int):
    if kind is int:
        return _INT_SAMPLE + position
    if kind is str:
        return _STR_SAMPLE.format(position)
    raise TypeError(f"prepared queries take int and str parameters, not {kind!r}")


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet
    compiler: Any
    sql: str
    params: tuple
    slots: tuple[int | None, ...]  # for each SQL parameter: which argument fills it (None: a constant)
    converters: dict
    locks_rows: bool


class PreparedQuery:
    """A queryset whose SQL is compiled once per database alias; `all(*values)` and `first(*values)` run it."""

    def __init__(self, build: Callable[..., QuerySet], kinds: tuple[type, ...]):
        self._build = build
        self._kinds = kinds
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()
        functools.update_wrapper(self, build)

    def all(self, *values) -> list:
        """The rows the queryset would give for these values (model instances, tuples or flat values)."""
        return list(self._queryset(values))

    def first(self, *values):
        """The first row, or None: build the queryset with `[:1]` (or a unique filter) for one row's SQL."""
        return next(iter(self._queryset(values)), None)

    def queryset(self, *values) -> QuerySet:
        """The queryset itself, built as usual (for code that needs to refine it further)."""
        return self._build(*values)

    def _queryset(self, values: tuple) -> QuerySet:
        if len(values) != len(self._kinds):
            raise TypeError(f"{self.__name__} takes {len(self._kinds)} values, got {len(values)}")
        for value, kind in zip(values, self._kinds, strict=True):
            if not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"{self.__name__}: {value!r} is not {kind.__name__}")
        alias = DEFAULT_DB_ALIAS  # Kefu has one database
        connection = connections[alias]
        compiled = self._compiled.get((alias, connection.vendor)) or self._compile(alias, connection.vendor)
        if compiled.locks_rows and connection.get_autocommit():
            # What Django's compiler says for select_for_update() outside a transaction.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = tuple(
            compiled.params[i] if slot is None else values[slot] for i, slot in enumerate(compiled.slots)
        )
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection  # connections are per thread; the compiled one may be another's
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        compiler.get_converters = lambda expressions: compiled.converters
        query = copy.copy(compiled.queryset.query)
        query.get_compiler = lambda using=None, connection=None, elide_empty=True: compiler
        # A shallow copy by hand: copy.copy() would pickle-copy the queryset, which runs it.
        queryset = object.__new__(type(compiled.queryset))
        queryset.__dict__.update(
            compiled.queryset.__dict__, _query=query, _result_cache=None, _prefetch_done=False
        )
        return queryset

    def _compile(self, alias: str, vendor: str) -> _Compiled:
        samples = [_sample(kind, i) for i, kind in enumerate(self._kinds)]
        queryset = self._build(*samples)
        if queryset.db != alias:
            raise ValueError(f"{self.__name__}: prepared queries run on {alias!r}, not {queryset.db!r}")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots: list[int | None] = []
        for value in params:
            matches = [
                i for i, sample in enumerate(samples) if type(value) is type(sample) and value == sample
            ]
            slots.append(matches[0] if matches else None)
        for position in range(len(samples)):
            if position not in slots:
                raise ValueError(
                    f"{self.__name__}: parameter {position} must reach the SQL unchanged ({params!r})"
                )
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        compiled = _Compiled(
            queryset=queryset,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            converters=compiler.get_converters(fields),
            locks_rows=bool(queryset.query.select_for_update),
        )
        with self._lock:
            self._compiled[(alias, vendor)] = compiled
        return compiled


def prepared(*kinds: type) -> Callable[[Callable[..., QuerySet]], PreparedQuery]:
    """Declare a prepared query: `kinds` are the types (int, str) of the build function's parameters."""

    def declare(build: Callable[..., QuerySet]) -> PreparedQuery:
        return PreparedQuery(build, kinds)

    return declare


class PreparedInsert:
    """`obj.save()` of a new row of one model, with the INSERT's SQL compiled once per database vendor.

    Building the INSERT (the compiler, each field's placeholder, RETURNING) costs a hot path's new rows
    (a ticket, its first message, the audit row) more CPU than running it. This stores the row as
    `save(force_insert=True)` would: every field's `pre_save` (auto_now_add, defaults) and database value,
    the primary key read back, the instance marked as stored, and the model's pre_save and post_save signals.
    A row it cannot take the same way (a field left to its database default) is saved by Django instead.
    """

    def __init__(self, model: type[Model]):
        meta = model._meta
        if meta.parents or meta.proxy or not meta.pk.db_returning:
            raise ValueError(f"prepared inserts take plain models with a generated key, not {model!r}")
        self._model = model
        self._fields = [field for field in meta.local_concrete_fields if field is not meta.pk]
        self._sql: dict[str, tuple[str, bool]] = {}

    def insert(self, obj: Model) -> Model:
        connection = connections[DEFAULT_DB_ALIAS]
        meta = self._model._meta
        obj._prepare_related_fields_for_save(operation_name="save")
        if signals.pre_save.has_listeners(self._model):
            signals.pre_save.send(
                self._model, instance=obj, raw=False, using=connection.alias, update_fields=None
            )
        values = [field.pre_save(obj, True) for field in self._fields]
        if any(isinstance(value, DatabaseDefault) for value in values):
            obj.save(force_insert=True)
            return obj
        params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(self._fields, values, strict=True)
        ]
        sql, returns = self._sql.get(connection.vendor) or self._compile(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returns:
                pk = cursor.fetchone()[0]
            else:
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
        setattr(obj, meta.pk.attname, meta.pk.to_python(pk))
        obj._state.adding, obj._state.db = False, connection.alias
        if signals.post_save.has_listeners(self._model):
            signals.post_save.send(
                self._model, instance=obj, created=True, update_fields=None, raw=False, using=connection.alias
            )
        return obj

    def _compile(self, connection) -> tuple[str, bool]:
        query = InsertQuery(self._model)
        query.insert_values(self._fields, [self._model()], raw=False)
        compiler = query.get_compiler(connection=connection)
        returns = connection.features.can_return_columns_from_insert
        compiler.returning_fields = [self._model._meta.pk] if returns else None
        [(sql, _params)] = compiler.as_sql()
        self._sql[connection.vendor] = (sql, returns)
        return sql, returns
