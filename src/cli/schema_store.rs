//! The schema registry of the cluster a command opened: format/registry.rs's model over the
//! cluster's registry file (cluster/schema_file.rs). Glue only: the model knows no files,
//! the file knows no schemas.

use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::cluster::layout::Layout;
use crate::cluster::schema_file::SchemaFile;
use crate::format::registry::{Registry, RegistryError, Store};

/// [`Store`] over the cluster's `schemas/registry.json`.
#[derive(Debug)]
struct ClusterSchemas(SchemaFile);

/// What can stop an update: the file (or its lock), or the registry's own refusal.
enum Stop {
    Io(io::Error),
    Registry(RegistryError),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        Stop::Io(e)
    }
}

impl Store for ClusterSchemas {
    fn location(&self) -> &Path {
        self.0.path()
    }
    fn read(&self) -> io::Result<Option<Vec<u8>>> {
        self.0.read()
    }
    fn update(
        &self,
        change: &mut dyn FnMut(Option<Vec<u8>>) -> Result<Option<Vec<u8>>, RegistryError>,
    ) -> Result<(), RegistryError> {
        self.0
            .update(|bytes| change(bytes).map_err(Stop::Registry))
            .map_err(|stop| match stop {
                Stop::Registry(e) => e,
                Stop::Io(source) => RegistryError::Io {
                    path: self.0.path().to_path_buf(),
                    source,
                },
            })
    }
}

/// The registry of the cluster at `layout` (empty when it has none yet).
pub fn open_registry(layout: &Layout) -> Result<Registry, RegistryError> {
    Registry::open(Arc::new(ClusterSchemas(SchemaFile::new(layout))))
}
