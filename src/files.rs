//! Files written safely: whole or not at all (a temporary file beside the
//! target, flushed, then renamed or linked into place), readable by their
//! owner only when new, never over something that is not a regular file
//! unless asked; and the names new files take.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Atomic replace of `path` with `bytes`; an existing file keeps its
/// permissions, a new one is its owner's only.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, bytes, false, true)
}

/// A new file at `path` with `bytes`, whole or not at all; an error of
/// kind `AlreadyExists`, and nothing touched, when something is there.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, bytes, false, false)
}

/// Atomic replace of `path` with `bytes`, readable and writable by its owner
/// only from the first byte written.
pub fn write_atomic_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, bytes, true, true)
}

/// A file whose loss costs only time (a note of what was checked):
/// atomic and owner-only, but not flushed to disk.
pub fn write_scratch(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".scratch.")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Why an output file (`-o FILE`) was not written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Occurs when the target is a link, a FIFO, a device or a read-only
    /// file, and `--force` was not given.
    #[error("{path}: {what}: not replaced (pass --force to replace it)")]
    NotRegular { path: PathBuf, what: &'static str },
    /// Occurs when the target is a folder: never replaced, `--force` or not.
    #[error("{path}: a folder: name a file to write (a folder is never replaced)")]
    Folder { path: PathBuf },
    /// Occurs when writing, flushing or renaming fails.
    #[error("{path}: cannot write: {reason}")]
    Io { path: PathBuf, reason: String },
}

/// Writes an output the user named (`-o FILE`): atomically, to a new file
/// beside the target that then takes its place, and only over a regular,
/// writable file or nothing, unless `force`. A folder is never replaced.
/// `private` makes the file its owner's only even when it replaces one
/// that was not (it holds request data).
pub fn write_output(
    path: &Path,
    bytes: &[u8],
    force: bool,
    private: bool,
) -> Result<(), OutputError> {
    let refuse = |what| OutputError::NotRegular {
        path: path.to_path_buf(),
        what,
    };
    match fs::symlink_metadata(path) {
        Ok(meta) => {
            let t = meta.file_type();
            if t.is_dir() {
                return Err(OutputError::Folder {
                    path: path.to_path_buf(),
                });
            }
            if !force {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::FileTypeExt;
                    if t.is_fifo() {
                        return Err(refuse("a FIFO"));
                    }
                    if t.is_char_device() || t.is_block_device() {
                        return Err(refuse("a device"));
                    }
                    if t.is_socket() {
                        return Err(refuse("a socket"));
                    }
                }
                if t.is_symlink() {
                    return Err(refuse("a symbolic link"));
                }
                if !t.is_file() {
                    return Err(refuse("not a regular file"));
                }
                if meta.permissions().readonly() {
                    return Err(refuse("a read-only file"));
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(OutputError::Io {
                path: path.to_path_buf(),
                reason: io_reason(&e),
            });
        }
    }
    // A link, FIFO or device given --force is replaced, never written
    // through: the rename puts a regular file in its place.
    let keep = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
    write_with(path, bytes, private || !keep, true).map_err(|e| OutputError::Io {
        path: path.to_path_buf(),
        reason: io_reason(&e),
    })
}

fn write_with(path: &Path, bytes: &[u8], private: bool, replace: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    // A name no other save can take (random, created exclusively), made
    // readable by its owner only.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    if !private && let Ok(meta) = fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if replace {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        // A link is made only where nothing is.
        match tmp.persist_noclobber(path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => return Err(e.error),
            // A file system without links: the file is written in place,
            // still never over another.
            Err(e) => {
                drop(e.file);
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(path)?;
                f.write_all(bytes)?;
                f.sync_all()?;
            }
        }
    }
    // Make the rename itself durable.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A private folder for a file handed to another program (the `$EDITOR`
/// hand-over): random, its owner's only, removed when dropped; the file in
/// it is written owner-only, exclusively.
pub struct PrivateFile {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl PrivateFile {
    /// `name` with `text` in a new private folder under the system's
    /// temporary folder.
    pub fn new(name: &str, text: &str) -> io::Result<PrivateFile> {
        let mut b = tempfile::Builder::new();
        b.prefix("hookbench-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(fs::Permissions::from_mode(0o700));
        }
        let dir = b.tempdir()?;
        let path = dir.path().join(name);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        options.open(&path)?.write_all(text.as_bytes())?;
        Ok(PrivateFile { dir, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder it lives in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Opens a file to append to (a log), created owner-only; made owner-only
/// when it was not; refused when it is not a regular file.
pub fn open_private_append(path: &Path) -> io::Result<fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    if let Ok(meta) = fs::symlink_metadata(path)
        && !meta.file_type().is_file()
    {
        return Err(io::Error::other(format!(
            "{}: not a regular file",
            path.display()
        )));
    }
    let mut options = fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let f = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

/// Creates a folder (and its parents) readable by its owner only, as the
/// folders of the history and the secret store are; one already there is
/// left as it is.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// A file name in `dir` like `want` that `taken` says no file has:
/// `x.ext`, `x-2.ext`, `x-3.ext`...
pub fn free_name(dir: &Path, want: &str, ext: &str, taken: impl Fn(&Path) -> bool) -> PathBuf {
    std::iter::once(dir.join(format!("{want}.{ext}")))
        .chain((2..).map(|n| dir.join(format!("{want}-{n}.{ext}"))))
        .find(|p| !taken(p))
        .expect("some number is free")
}

/// Completes a typed path from its folder: the longest start every name
/// that fits shares (a folder gets its `/` when it is the only one), and
/// those names. `~/` is the home folder.
pub fn complete_path(typed: &str) -> (String, Vec<String>) {
    let (dir_text, stem) = match typed.rfind('/') {
        Some(i) => (&typed[..=i], &typed[i + 1..]),
        None => ("", typed),
    };
    let dir = match dir_text {
        "" => PathBuf::from("."),
        d => expand_home(d),
    };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (name.starts_with(stem) && (!name.starts_with('.') || stem.starts_with('.')))
                .then_some((name, is_dir))
        })
        .collect();
    names.sort();
    let choices: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
    let completion = match names.as_slice() {
        [] => typed.to_string(),
        [(one, is_dir)] => format!("{dir_text}{one}{}", if *is_dir { "/" } else { "" }),
        many => {
            let first = &many[0].0;
            let common = many.iter().fold(first.len(), |n, (name, _)| {
                first
                    .char_indices()
                    .zip(name.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8())
                    .min(n)
            });
            format!("{dir_text}{}", &first[..common])
        }
    };
    (completion, choices)
}

/// A file-name-safe form of a name: lowercase letters and digits joined by
/// `-` (`CRM: create lead` is `crm-create-lead`), `profile` when nothing is
/// left.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        // File names stay short, whatever the name (a pasted page).
        if s.len() >= SLUG_MAX {
            break;
        }
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "profile".into() } else { s }
}

/// The longest a slug gets: a file name well under every file system's
/// limit, with room for `-2.ron`.
pub const SLUG_MAX: usize = 64;

/// A path as typed: `~/` is the home folder.
pub fn expand_home(typed: &str) -> PathBuf {
    match typed.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(rest))
            .unwrap_or_else(|| PathBuf::from(typed)),
        None if typed == "~" => {
            std::env::var_os("HOME").map_or_else(|| PathBuf::from(typed), PathBuf::from)
        }
        None => PathBuf::from(typed),
    }
}

/// An io error's reason in lowercase, without the "(os error N)" tail.
pub fn io_reason(e: &io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    match s.get(..1) {
        Some(first) => first.to_lowercase() + &s[1..],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("CRM: create lead on signup"),
            "crm-create-lead-on-signup"
        );
        assert_eq!(slug("  "), "profile");
        assert_eq!(slug("Ünïcode!"), "n-code");
    }

    #[test]
    fn two_saves_of_one_file_at_once_both_land_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.ron");
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        write_atomic(&path, format!("writer {i}\n").repeat(500).as_bytes())
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap();
        assert!(text.lines().all(|l| l == first), "a mixed file");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files left: {left:?}");
    }
}
