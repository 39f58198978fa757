// The HDF5 C library's public API (Debian libhdf5-dev, installed by Scripts/bootstrap, located
// through pkg-config `hdf5`). Only `Datasets/Internals/HDF5.swift` calls it.
#include <hdf5.h>
