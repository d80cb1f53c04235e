//! The pseudo file systems of the machine (procfs, sysfs, devices, cgroups...): directories a
//! walk never enters, whatever folder it was given. Their files are processes, kernel state and
//! devices, never templates, and reading them can block or never end. On Linux the mount table
//! (`/proc/self/mountinfo`) says where they are; elsewhere, or when it cannot be read, the usual
//! places stand for them.

use std::path::PathBuf;
use std::sync::OnceLock;

/// File system types that hold no files of a project.
const PSEUDO_TYPES: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "configfs",
    "fusectl",
    "mqueue",
    "hugetlbfs",
    "binfmt_misc",
    "autofs",
    "efivarfs",
    "rpc_pipefs",
    "nsfs",
    "devfs",
];

/// Where the pseudo file systems are mounted.
pub fn mounts() -> &'static [PathBuf] {
    static MOUNTS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    MOUNTS.get_or_init(|| match std::fs::read_to_string("/proc/self/mountinfo") {
        Ok(table) => from_mountinfo(&table),
        Err(_) => ["/proc", "/sys", "/dev"]
            .iter()
            .map(PathBuf::from)
            .collect(),
    })
}

/// The mount points of pseudo file systems in a `mountinfo` table: each line is `ID PARENT
/// MAJOR:MINOR ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS`, with a space
/// in a path written `\040`.
fn from_mountinfo(table: &str) -> Vec<PathBuf> {
    table
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let point = fields.get(4)?;
            let separator = fields.iter().position(|f| *f == "-")?;
            let kind = fields.get(separator + 1)?;
            PSEUDO_TYPES
                .contains(kind)
                .then(|| PathBuf::from(unescape(point)))
        })
        .collect()
}

/// `\040`-style octal escapes of a mount point.
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(digits)) => {
                let value = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudo_mounts_are_read_from_the_mount_table() {
        let table = "\
22 1 0:21 / /proc rw,nosuid shared:5 - proc proc rw
23 1 0:22 / /sys rw,nosuid shared:6 - sysfs sysfs rw
24 1 0:5 / /dev rw,nosuid shared:2 - devtmpfs udev rw,size=8g
25 24 0:23 / /dev/pts rw - devpts devpts rw
26 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
27 26 8:2 / /home/a\\040b rw - ext4 /dev/sda2 rw
28 26 0:40 / /mnt/my\\040proc rw - proc proc rw
29 26 0:41 / /tmp rw - tmpfs tmpfs rw
";
        let mounts: Vec<String> = from_mountinfo(table)
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            mounts,
            ["/proc", "/sys", "/dev", "/dev/pts", "/mnt/my proc"]
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_machine_has_its_proc() {
        assert!(mounts().iter().any(|m| m == std::path::Path::new("/proc")));
    }
}
