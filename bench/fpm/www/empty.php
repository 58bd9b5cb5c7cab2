<?php

/**
 * @file
 * The baseline page of bench/fpm.py: PHP-FPM and nginx alone, no extension call.
 */

echo "ok\n";
