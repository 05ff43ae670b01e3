"""Checking files uploaded through the admin tab before they reach the index.

An upload arrives as a file in Gradio's temporary folder plus the name the browser sent. Only
the name's last component is used, cleaned to letters, digits, CJK and a little punctuation;
the type must be one the ingester reads, the size within `ui.max_upload_mb`, and the content
must actually read as a document (a binary file named .txt is refused here, not after it was
stored). Accepted files are copied (under their clean names) into a fresh staging folder, from
which `Assistant.add_files` moves them into `paths.upload_dir`. Every reason is in Chinese.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from config.errors import IngestError
from index.load import SUPPORTED, read_file

MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\-（）()\[\]【】《》 ]+")  # \w covers CJK letters and digits
# The ingester's reasons (English, for the CLI) and what the admin page says instead.
_REASONS_ZH = (
    ("binary", "内容是二进制数据，不是文本文件（文件扩展名与内容不符？）"),
    ("empty", "文件是空的"),
    ("encoding", "无法识别文字编码，请另存为 UTF-8 后再上传"),
    ("no text", "文件中没有可读取的文字（扫描件 PDF 需先做文字识别）"),
    ("unsupported", "不支持的文件类型"),
    ("symlink", "是指向其他位置的链接，不予收录"),
    ("too large", "超过大小限制"),
    ("limit", "超过处理限制"),
    ("pdf", "无法读取该 PDF 文件"),
    ("docx", "无法读取该 Word 文件"),
)


@dataclass(frozen=True)
class Rejected:
    name: str
    reason: str


@dataclass(frozen=True)
class Staged:
    """Accepted files (clean names, in a staging folder) and the rejected ones with reasons."""

    files: tuple[Path, ...]
    rejected: tuple[Rejected, ...]
    folder: Path | None


def reason_zh(reason: str) -> str:
    """A reason from the ingester, said in Chinese (the original kept in brackets when unknown)."""
    low = reason.lower()
    for key, text in _REASONS_ZH:
        if key in low:
            return text
    return f"无法读取（{reason}）"


def sanitize_filename(name: str) -> str:
    """A safe file name from a browser-supplied one: no folders, no control or odd characters.

    Raises IngestError when nothing usable is left (e.g. "../..", "").
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" ._")
    base = re.sub(r"_+", "_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip(" ._")[: MAX_NAME_CHARS - len(suffix) - 1]
    if not stem:
        raise IngestError("文件名中没有可用的字符，请改名后重新上传")
    return f"{stem}.{suffix.lower()}" if suffix else stem


def check_upload(path: Path, name: str, max_bytes: int) -> str:
    """The clean name of an acceptable upload, or IngestError saying (in Chinese) why not."""
    clean = sanitize_filename(name)
    suffix = Path(clean).suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"不支持 {suffix or '无扩展名'} 类型的文件；可上传：{' '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"文件大小 {size / 2**20:.1f} MB，超过 {max_bytes / 2**20:.0f} MB 的上限")
    if size == 0:
        raise IngestError("文件是空的")
    return clean


def check_readable(path: Path) -> None:
    """IngestError (in Chinese) unless the ingester can read a document out of `path`."""
    try:
        read_file(path)
    except IngestError as exc:
        raise IngestError(reason_zh(str(exc))) from None
    except Exception as exc:  # a parser failing on a crafted file is a refusal, not a crash
        raise IngestError(f"无法读取（{exc.__class__.__name__}）") from None


def stage_uploads(uploads: Sequence[tuple[Path, str]], max_bytes: int) -> Staged:
    """Check each (temp path, browser name) and copy the acceptable ones under clean names.

    Two uploads with the same clean name: the later one is refused rather than overwriting.
    """
    accepted: list[Path] = []
    rejected: list[Rejected] = []
    folder: Path | None = None
    for path, name in uploads:
        try:
            clean = check_upload(path, name, max_bytes)
        except IngestError as exc:
            rejected.append(Rejected(name, str(exc)))
            continue
        except OSError:
            rejected.append(Rejected(name, "无法读取上传的文件，请重新上传"))
            continue
        folder = folder or Path(tempfile.mkdtemp(prefix="policyqa-upload-"))
        target = folder / clean
        if target.exists():
            rejected.append(Rejected(name, f"与另一个上传文件同名（{clean}）"))
            continue
        shutil.copyfile(path, target)
        try:
            check_readable(target)
        except IngestError as exc:
            target.unlink(missing_ok=True)
            rejected.append(Rejected(name, str(exc)))
            continue
        accepted.append(target)
    return Staged(tuple(accepted), tuple(rejected), folder)
