// The HDF5 C library's public API (Debian libhdf5-dev, installed by Scripts/bootstrap, located
// through pkg-config `hdf5`). Only `Datasets/Internals/HDF5.swift` calls it.
#include <hdf5.h>
#include <stdint.h>
#include <string.h>

// The identity of an open object in its file (its address, or its token from HDF5 1.12 on), as two
// 64-bit words: hard links can make a group its own descendant, so listings keep a visited set.
// Returns a negative value on failure.
static inline int chdf5_object_identity(hid_t object, uint64_t identity[2]) {
    identity[0] = 0;
    identity[1] = 0;
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(object, &info, H5O_INFO_BASIC) < 0) return -1;
    memcpy(identity, &info.token, sizeof(info.token) < 16 ? sizeof(info.token) : 16);
#else
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_BASIC) < 0) return -1;
    identity[0] = (uint64_t)info.addr;
#endif
    return 0;
}
