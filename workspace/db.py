"""Open a project home: the SQLite workspace database (WAL, foreign keys, busy timeout) and its media store."""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlmodel import Session, SQLModel

from generator.errors import EchoError
from workspace import models  # noqa: F401 - registers the tables on SQLModel.metadata
from workspace.media_store import MediaStore

BUSY_TIMEOUT_MS = 30_000
DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
_READ_ONLY_OPTION = "echo_read_only"


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level so the "begin" hook below decides how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@contextmanager
def home_init_lock(home: Path) -> Iterator[None]:
    """Serialises first-time set-up of a home's databases across processes.

    Switching a database to WAL needs an exclusive lock, and SQLite answers "database is locked" at once
    instead of waiting when another process is doing the same, so set-up runs under a file lock."""
    with (home / ".init.lock").open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def enable_wal(database_path: Path) -> None:
    """Put a SQLite file in WAL mode (persistent in the file). Call under `home_init_lock`."""
    connection = sqlite3.connect(database_path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()


def _begin(connection: Any) -> None:
    # Writers take the write lock up front: a deferred transaction that later upgrades its lock can fail with
    # "database is locked" immediately (busy_timeout does not apply to the upgrade), and lose its work.
    if connection.get_execution_options().get(_READ_ONLY_OPTION):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def add_missing_columns(engine: Engine) -> None:
    """Bring a home made by an older version up to the current models: columns added since then are created
    with their server default (create_all makes only missing tables)."""
    with engine.begin() as connection:
        inspector = inspect(connection)
        for table in SQLModel.metadata.tables.values():
            existing = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in existing:
                    continue
                default = column.server_default.arg if column.server_default is not None else None
                if default is None:
                    raise EchoError(f"cannot upgrade table {table.name}: new column {column.name} has no default")
                kind = column.type.compile(dialect=engine.dialect)
                connection.exec_driver_sql(
                    f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind} NOT NULL DEFAULT '{default}'"
                )


def create_workspace_engine(database_path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{database_path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin)
    return engine


@dataclass(frozen=True)
class HomeLayout:
    """Where a home keeps its databases and index; media live under `root` through the MediaStore."""

    root: Path

    @property
    def database_path(self) -> Path:
        return self.root / "workspace.sqlite"

    @property
    def checkpoint_path(self) -> Path:
        return self.root / "checkpoints.sqlite"

    @property
    def chroma_dir(self) -> Path:
        return self.root / "chroma"


class Workspace:
    """One home directory: `session()` for writes (one transaction), `read_session()` for snapshots."""

    def __init__(self, layout: HomeLayout, engine: Engine, media: MediaStore, upload_max_bytes: int) -> None:
        self.layout = layout
        self.home: Path = layout.root
        self.upload_max_bytes = upload_max_bytes
        self.engine = engine
        self.media = media
        self._read_engine = engine.execution_options(**{_READ_ONLY_OPTION: True})

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write transaction: commits when the block succeeds, rolls back when it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A consistent read-only snapshot that never waits for the write lock; nothing is committed.
        Loaded objects stay readable after the block (closing detaches them without expiring them)."""
        with Session(self._read_engine, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_workspace(home: Path, *, upload_max_bytes: int = DEFAULT_UPLOAD_MAX_BYTES) -> Workspace:
    """Create the home folder and schema on first use (safe to call again, also from several processes)."""
    layout = HomeLayout(Path(home).expanduser().resolve())
    home = layout.root
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EchoError(f"cannot create the home directory {home}: {error}; set --home or ECHO_HOME") from error
    if not home.is_dir():
        raise EchoError(f"home {home} is not a directory; set --home or ECHO_HOME to a folder")
    engine = create_workspace_engine(layout.database_path)
    with home_init_lock(home):
        enable_wal(layout.database_path)
        SQLModel.metadata.create_all(engine)
        add_missing_columns(engine)
    return Workspace(layout, engine, MediaStore(home), upload_max_bytes)
