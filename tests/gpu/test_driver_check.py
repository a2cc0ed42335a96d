"""``kernels.driver``: a driver too old for our compilers' output is a clear error up front,
not ``CUDA_ERROR_UNSUPPORTED_PTX_VERSION`` at the first launch. The driver version is faked
here; no GPU or driver is needed."""

from __future__ import annotations

import pytest

from tinygrad_edu.kernels import driver

CU13 = (13000, ["numba-cuda links kernels with nvJitLink from CUDA 13.5"])


def test_version_string() -> None:
    assert driver.version_string(13050) == "13.5"
    assert driver.version_string(12040) == "12.4"
    assert driver.version_string(13000) == "13.0"


def test_old_driver_is_refused_with_the_driver_needed() -> None:
    with pytest.raises(RuntimeError) as info:
        driver.check_driver_version(12040, *CU13)
    message = str(info.value)
    assert "supports CUDA 12.4" in message
    assert "CUDA 13.0 or newer" in message
    assert "580.65.06" in message  # the Linux driver branch for CUDA 13
    assert "nvJitLink from CUDA 13.5" in message  # why
    assert 'pip install "numba-cuda[cu12]" cupy-cuda12x' in message  # the other way out


@pytest.mark.parametrize("have", [13000, 13020, 13050, 14000])
def test_driver_of_the_same_major_version_is_enough(have: int) -> None:
    assert driver.check_driver_version(have, *CU13) is None


def test_without_nvjitlink_the_driver_must_know_the_ptx() -> None:
    """PTX from a CUDA 13.5 NVVM, compiled by the driver: a 13.0 driver is too old."""
    need = (13050, ["numba-cuda's NVVM from CUDA 13.5 writes PTX that the driver must compile"])
    with pytest.raises(RuntimeError, match=r"supports CUDA 13\.0, .* CUDA 13\.5 or newer"):
        driver.check_driver_version(13000, *need)
    driver.check_driver_version(13050, *need)


def test_no_driver_at_all() -> None:
    with pytest.raises(RuntimeError, match="No NVIDIA driver found.*CUDA 13.0 or newer"):
        driver.check_driver_version(None, *CU13)


def test_nothing_installed_needs_nothing_but_a_driver() -> None:
    driver.check_driver_version(11080, 0, [])
    with pytest.raises(RuntimeError, match="No NVIDIA driver"):
        driver.check_driver_version(None, 0, [])


def test_check_driver_uses_the_strictest_requirement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "driver_version", lambda: 12080)
    monkeypatch.setattr(driver, "REQUIREMENTS", (
        lambda: (12000, "CuPy is built for CUDA 12.8"),
        lambda: (13000, "numba-cuda links kernels with nvJitLink from CUDA 13.1"),
        lambda: None,  # a library that is not installed
    ))
    assert driver.required_driver_version() == (13000, [
        "CuPy is built for CUDA 12.8", "numba-cuda links kernels with nvJitLink from CUDA 13.1"])
    with pytest.raises(RuntimeError, match=r"supports CUDA 12\.8.*CUDA 13\.0 or newer"):
        driver.check_driver()
    monkeypatch.setattr(driver, "driver_version", lambda: 13010)
    driver.check_driver()


def test_installed_numba_cuda_is_understood() -> None:
    """With the test extra (numba-cuda[cu13]) the requirement is a CUDA 13 driver."""
    requirement = driver._numba_cuda_requirement()
    if requirement is None:
        pytest.skip("numba-cuda or its CUDA 13 compiler wheels are not installed")
    version, reason = requirement
    assert version // 1000 >= 12 and "numba-cuda" in reason
