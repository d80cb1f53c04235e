//! `.sandtrap.yaml`: discovery, typed loading with locations, and lookups.
