# Fused integer type for kernels that read counts or labels of every width in place: one
# specialisation per width, so no caller needs an int64 copy of a narrow array.
from libc.stdint cimport (
    int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t,
)

ctypedef fused any_int_t:
    int8_t
    uint8_t
    int16_t
    uint16_t
    int32_t
    uint32_t
    int64_t
    uint64_t
